import type { FieldError } from '../../platform/field-errors'
import type { Frequency } from '../subscription'
import type { OutgoingEmail } from './mailer'
import { formatDeadline, html, htmlDocument, link, mutedStyle, oneLine, type SafeHtml } from './render'

/**
 * Every email the subscriptions send, each as an HTML part and a plain-text part saying the same.
 * Catalogue and subscriber text goes through `html` (escaped) and `oneLine` (no line breaks).
 */

/** Where a subscription comes from, in words and as a link back to it. */
export interface SubscriptionSource {
  /** "your saved search: any of the features T13 ..." or "your watch on the project “Harbour drones”". */
  description: string
  href: string
  linkText: string
}

export interface DigestItem {
  id: string
  name: string
  kind: string
  origin: string
  country?: string | undefined
  funder?: string | undefined
  deadline?: string | undefined
  /** A multiple cut-off call's next cut-off, when it comes before the deadline (its last). */
  nextCutOff?: string | undefined
  status: string
  opensAt?: string | undefined
}

export interface DigestSections {
  newMatches: DigestItem[]
  /** How many more new matches there were than listed. */
  moreNew: number
  closingSoon: DigestItem[]
  moreClosing: number
}

const FREQUENCY_WORD: Record<Frequency, string> = { daily: 'daily', weekly: 'weekly' }

export function confirmationEmail(options: {
  to: string
  confirmUrl: string
  source: SubscriptionSource
  frequency: Frequency
}): OutgoingEmail {
  const title = 'Confirm your fundfinder digest'
  const frequency = FREQUENCY_WORD[options.frequency]
  const source = oneLine(options.source.description)
  return {
    to: options.to,
    subject: title,
    html: htmlDocument({
      title,
      body: html`<p>Someone, hopefully you, asked to receive a ${frequency} email digest of new funding calls for ${source}.</p>
<p>${link(options.confirmUrl, 'Confirm my subscription')}</p>
<p>The link opens a page with a button that confirms; it works for 7 days.</p>`,
      footer: html`<p>If you did not ask for this, ignore this email: nothing will be sent, and the request is deleted after 7 days.</p>`,
    }),
    text: [
      title,
      '',
      `Someone, hopefully you, asked to receive a ${frequency} email digest of new funding calls for ${source}.`,
      '',
      'Confirm my subscription (opens a page with a button; the link works for 7 days):',
      options.confirmUrl,
      '',
      '--',
      'If you did not ask for this, ignore this email: nothing will be sent, and the request is deleted after 7 days.',
    ].join('\n'),
  }
}

export function alreadySubscribedEmail(options: {
  to: string
  unsubscribeUrl: string
  source: SubscriptionSource
  frequency: Frequency
  /** What the new request asked for: when it differs, the note says how to switch. */
  askedFrequency: Frequency
}): OutgoingEmail {
  const title = 'You already receive this fundfinder digest'
  const source = oneLine(options.source.description)
  const every = (frequency: Frequency) => (frequency === 'daily' ? 'every day' : 'every week')
  const said = `Someone asked again for a digest of ${source}. You already receive it ${every(options.frequency)}; nothing has changed.`
  // The request cannot change it by itself (anyone may type an address); the mailbox's link can.
  const howToSwitch =
    options.askedFrequency === options.frequency
      ? undefined
      : `To receive it ${every(options.askedFrequency)} instead, open the link at the bottom of this email and choose so there.`
  return {
    to: options.to,
    subject: title,
    unsubscribeUrl: options.unsubscribeUrl,
    html: htmlDocument({
      title,
      body: howToSwitch ? html`<p>${said}</p><p>${howToSwitch}</p>` : html`<p>${said}</p>`,
      footer: unsubscribeFooterHtml(options.unsubscribeUrl),
    }),
    text: [
      title,
      '',
      said,
      ...(howToSwitch ? ['', howToSwitch] : []),
      '',
      ...unsubscribeFooterText(options.unsubscribeUrl),
    ].join('\n'),
  }
}

export function digestEmail(options: {
  to: string
  frequency: Frequency
  source: SubscriptionSource
  sections: DigestSections
  baseUrl: string
  unsubscribeUrl: string
}): OutgoingEmail {
  const { sections, baseUrl } = options
  const newCount = sections.newMatches.length + sections.moreNew
  const closingCount = sections.closingSoon.length + sections.moreClosing
  const counts = [
    newCount > 0 ? `${newCount} new` : undefined,
    closingCount > 0 ? `${closingCount} closing soon` : undefined,
  ].filter(Boolean)
  const title = `Your ${FREQUENCY_WORD[options.frequency]} fundfinder digest`
  const source = oneLine(options.source.description)
  const itemUrl = (item: DigestItem) => `${baseUrl}/instruments/${encodeURIComponent(item.id)}`

  const listHtml = (items: DigestItem[], more: number) =>
    html`<ul style="padding-left:20px;">${items.map(
      (item) =>
        html`<li style="margin-bottom:12px;">${link(itemUrl(item), oneLine(item.name))}<br><span style="${mutedStyle}">${facts(item)}</span><br>${item.nextCutOff ? html`Next cut-off: ${formatDeadline(item.nextCutOff)}<br>` : ''}Deadline: ${formatDeadline(item.deadline)}</li>`,
    )}</ul>${more > 0 ? html`<p>…and ${more} more: ${link(options.source.href, options.source.linkText)}.</p>` : ''}`
  const listText = (items: DigestItem[], more: number) => [
    ...items.flatMap((item) => [
      `- ${oneLine(item.name)}`,
      `  ${facts(item)}`,
      ...(item.nextCutOff ? [`  Next cut-off: ${formatDeadline(item.nextCutOff)}`] : []),
      `  Deadline: ${formatDeadline(item.deadline)}`,
      `  ${itemUrl(item)}`,
    ]),
    ...(more > 0 ? [`...and ${more} more: ${options.source.href}`] : []),
  ]

  const sectionsHtml: SafeHtml[] = []
  const sectionsText: string[] = []
  if (newCount > 0) {
    sectionsHtml.push(
      html`<h2 style="font-size:18px;">New matches (${newCount})</h2>${listHtml(sections.newMatches, sections.moreNew)}`,
    )
    sectionsText.push('', `NEW MATCHES (${newCount})`, '', ...listText(sections.newMatches, sections.moreNew))
  }
  if (closingCount > 0) {
    sectionsHtml.push(
      html`<h2 style="font-size:18px;">Closing within 7 days (${closingCount})</h2>${listHtml(sections.closingSoon, sections.moreClosing)}`,
    )
    sectionsText.push(
      '',
      `CLOSING WITHIN 7 DAYS (${closingCount})`,
      '',
      ...listText(sections.closingSoon, sections.moreClosing),
    )
  }

  return {
    to: options.to,
    subject: `${title}: ${counts.join(', ')}`,
    unsubscribeUrl: options.unsubscribeUrl,
    html: htmlDocument({
      title,
      body: html`<p>For ${source}. ${link(options.source.href, options.source.linkText)}.</p>
${sectionsHtml}
<p style="${mutedStyle}">Deadlines are shown in Brussels time. Check each call at its official source before applying.</p>`,
      footer: unsubscribeFooterHtml(options.unsubscribeUrl),
    }),
    text: [
      title,
      '',
      `For ${source}.`,
      `${options.source.linkText}: ${options.source.href}`,
      ...sectionsText,
      '',
      'Deadlines are shown in Brussels time. Check each call at its official source before applying.',
      '',
      ...unsubscribeFooterText(options.unsubscribeUrl),
    ].join('\n'),
  }
}

/** The last note of a project watch whose project was deleted. */
export function projectEndedEmail(options: {
  to: string
  projectName: string
  baseUrl: string
}): OutgoingEmail {
  const title = 'Your fundfinder project watch has ended'
  const name = oneLine(options.projectName)
  const sentence = `The project “${name}” that you watched has been deleted from its portfolio, so the watch has ended: no more digests will be sent for it, and the subscription has been deleted.`
  return {
    to: options.to,
    subject: title,
    html: htmlDocument({
      title,
      body: html`<p>${sentence}</p><p>${link(`${options.baseUrl}/`, 'Search the catalogue')}</p>`,
      footer: html`<p>This is the last email about this watch.</p>`,
    }),
    text: [
      title,
      '',
      sentence,
      '',
      `Search the catalogue: ${options.baseUrl}/`,
      '',
      '--',
      'This is the last email about this watch.',
    ].join('\n'),
  }
}

/**
 * The last note of a project watch that the project's organisation ended (a member who left, an
 * address that should no longer hear of the project). Nothing for the recipient to do.
 */
export function projectWatchEndedByOrganisationEmail(options: {
  to: string
  projectName: string
}): OutgoingEmail {
  const title = 'Your fundfinder project watch has been ended'
  const name = oneLine(options.projectName)
  const sentence = `The organisation that owns the project “${name}” has ended your watch of it: no more digests will be sent for it, and the subscription has been deleted. You do not need to unsubscribe.`
  const ask = 'If you think this is a mistake, ask the people who manage the project in your organisation.'
  return {
    to: options.to,
    subject: title,
    html: htmlDocument({
      title,
      body: html`<p>${sentence}</p><p>${ask}</p>`,
      footer: html`<p>This is the last email about this watch.</p>`,
    }),
    text: [title, '', sentence, '', ask, '', '--', 'This is the last email about this watch.'].join('\n'),
  }
}

/** A saved search that no longer validates (a feature code was retired): said, not silently dropped. */
export function invalidSearchEmail(options: {
  to: string
  query: string
  errors: FieldError[]
  searchUrl: string
}): OutgoingEmail {
  const title = 'Your saved fundfinder search no longer works'
  const problems = options.errors.map((error) => oneLine(`${error.path || 'query'}: ${error.message}`))
  const query = oneLine(options.query)
  const closing =
    'The catalogue changed (for example, a feature was retired from the taxonomy), so this saved search has ended and its subscription has been deleted. To keep receiving digests, search again and save the new search.'
  return {
    to: options.to,
    subject: title,
    html: htmlDocument({
      title,
      body: html`<p>Your saved search <code>${query}</code> is no longer a valid search:</p>
<ul>${problems.map((problem) => html`<li>${problem}</li>`)}</ul>
<p>${closing}</p>
<p>${link(options.searchUrl, 'Search the catalogue again')}</p>`,
      footer: html`<p>This is the last email about this saved search.</p>`,
    }),
    text: [
      title,
      '',
      `Your saved search "${query}" is no longer a valid search:`,
      ...problems.map((problem) => `- ${problem}`),
      '',
      closing,
      '',
      `Search the catalogue again: ${options.searchUrl}`,
      '',
      '--',
      'This is the last email about this saved search.',
    ].join('\n'),
  }
}

function facts(item: DigestItem): string {
  return oneLine(
    [
      item.kind,
      item.origin === 'international'
        ? 'international'
        : `${item.origin}${item.country ? ` (${item.country})` : ''}`,
      item.funder,
      item.status === 'forthcoming' && item.opensAt ? `opens ${item.opensAt}` : undefined,
    ]
      .filter(Boolean)
      .join(' · '),
  )
}

function unsubscribeFooterHtml(unsubscribeUrl: string): SafeHtml {
  return html`<p>You receive this because you subscribed and confirmed your address. ${link(unsubscribeUrl, 'Unsubscribe from this digest')}: one click, no sign-in; your subscription data is then deleted. The same page lets you receive it daily or weekly instead.</p>`
}

function unsubscribeFooterText(unsubscribeUrl: string): string[] {
  return [
    '--',
    'You receive this because you subscribed and confirmed your address.',
    `Unsubscribe from this digest (one click, no sign-in; your subscription data is then deleted): ${unsubscribeUrl}`,
    'The same page lets you receive it daily or weekly instead.',
  ]
}
