import { Feed } from 'feed'
import ical, { ICalAlarmType, ICalCalendarMethod } from 'ical-generator'
import { CATALOGUE_TIME_ZONE } from '../../platform/time'
import { countryName } from '../countries'
import type { Instrument } from '../instrument'

/**
 * Subscribable views of a search, written with well-kept libraries rather than by hand: an Atom 1.0
 * feed of the newest matching instruments (`feed`), so a feed reader tells a user when a new call fits
 * their search, and an iCalendar of their deadlines (`ical-generator`), so a calendar reminds them
 * before calls close.
 */

export interface FeedLinks {
  /** Absolute URL of the feed itself. */
  self: string
  /** Absolute base of the web pages (`https://host`), for links to `/instruments/{id}` and the search. */
  site: string
  /** The search's query string (without `?`), to link the matching search page. */
  query: string
}

/** Days before a deadline that a calendar's reminder fires. */
export const REMINDER_DAYS_BEFORE = 7

function instrumentPage(site: string, id: string): string {
  return `${site}/instruments/${encodeURIComponent(id)}`
}

function searchPage(links: FeedLinks): string {
  return `${links.site}/${links.query ? `?${links.query}` : ''}`
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string,
  )
}

function where(instrument: Instrument): string {
  if (instrument.origin === 'international') return 'international'
  const country = instrument.country ? countryName(instrument.country) : ''
  return [instrument.origin, [instrument.region, country].filter(Boolean).join(', ')]
    .filter(Boolean)
    .join(', ')
}

function deadlineText(deadline: string | undefined): string {
  if (!deadline) return 'no deadline (open-ended)'
  return deadline.length === 10 ? `${deadline} (end of day, Brussels time)` : deadline
}

function summaryOf(instrument: Instrument): string {
  return `${instrument.kind}, ${where(instrument)}; deadline ${deadlineText(instrument.deadline)}; features ${instrument.features.join(', ')}`
}

/**
 * Atom 1.0: one entry per instrument (newest first as given). Entry ids are stable URNs so that a
 * change of host does not make readers see everything as new; `updated` is the instrument's
 * `updatedAt`, so an edited call shows as updated rather than new.
 */
export function instrumentsAtom(
  instruments: readonly Instrument[],
  links: FeedLinks,
  options: { title: string; now: Date },
): string {
  const newest = instruments.reduce<string | undefined>(
    (latest, instrument) =>
      latest === undefined || instrument.updatedAt > latest ? instrument.updatedAt : latest,
    undefined,
  )
  const feed = new Feed({
    id: links.self,
    title: options.title,
    description: 'Funding instruments matching a fundfinder search, newest first.',
    link: searchPage(links),
    feedLinks: { atom: links.self },
    updated: newest ? new Date(newest) : options.now,
    generator: 'fundfinder',
    copyright: 'Catalogue data: verify every call at its official source.',
  })
  for (const instrument of instruments) {
    const page = instrumentPage(links.site, instrument.id)
    const content = [
      `<p>${escapeHtml(instrument.description || instrument.name)}</p>`,
      `<p>${escapeHtml(summaryOf(instrument))}</p>`,
      `<p><a href="${escapeHtml(instrument.url)}">Official information</a> · <a href="${escapeHtml(page)}">On fundfinder</a></p>`,
    ].join('')
    feed.addItem({
      id: `urn:fundfinder:instrument:${instrument.id}`,
      title: instrument.name,
      link: page,
      date: new Date(instrument.updatedAt),
      published: new Date(instrument.createdAt),
      description: summaryOf(instrument),
      content,
      ...(instrument.funder ? { author: [{ name: instrument.funder }] } : {}),
      category: instrument.features.map((code) => ({ term: code, name: code })),
    })
  }
  return feed.atom1()
}

/** The calendar day after `date` (`YYYY-MM-DD`), as a UTC-midnight Date (all-day DTEND is exclusive). */
function nextDay(date: string): Date {
  const day = new Date(`${date}T00:00:00Z`)
  day.setUTCDate(day.getUTCDate() + 1)
  return day
}

/**
 * The calendar events of an instrument: its deadline, or, for a multiple cut-off call, each
 * cut-off. UIDs are stable: the deadline (the last cut-off) is always `<id>@fundfinder`, the n-th
 * of the earlier cut-offs `<id>-cutoff-<n>@fundfinder`, so a moved date moves its event.
 */
export function calendarDeadlines(
  instrument: Pick<Instrument, 'id' | 'deadline' | 'cutOffs'>,
): { uid: string; at: string; label: string }[] {
  if (!instrument.deadline) return []
  const cutOffs = instrument.cutOffs ?? []
  if (cutOffs.length < 2)
    return [{ uid: `${instrument.id}@fundfinder`, at: instrument.deadline, label: 'Deadline' }]
  return cutOffs.map((cutOff, index) =>
    index === cutOffs.length - 1
      ? {
          uid: `${instrument.id}@fundfinder`,
          at: instrument.deadline as string,
          label: `Last cut-off (${index + 1} of ${cutOffs.length})`,
        }
      : {
          uid: `${instrument.id}-cutoff-${index + 1}@fundfinder`,
          at: cutOff,
          label: `Cut-off ${index + 1} of ${cutOffs.length}`,
        },
  )
}

/**
 * iCalendar: one event per deadline (per cut-off for a multiple cut-off call), with stable UIDs
 * (`calendarDeadlines`) so that a changed deadline moves the event instead of adding one. A
 * date-only deadline (closes at the end of that day in Brussels) is an all-day event on that date;
 * a date-time deadline is a timed event at that instant (written in UTC, which every calendar shows
 * in its own zone). Each carries a reminder `REMINDER_DAYS_BEFORE` days ahead.
 */
export function deadlinesCalendar(
  instruments: readonly Instrument[],
  links: FeedLinks,
  options: { title: string; now: Date },
): string {
  const calendar = ical({
    name: options.title,
    description: 'Deadlines of funding instruments matching a fundfinder search.',
    prodId: { company: 'fundfinder', product: 'deadlines', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    url: searchPage(links),
    // Refresh about twice a day: deadlines rarely move faster than that.
    ttl: 12 * 60 * 60,
  })
  // Informs clients of the catalogue's zone; dates are written as all-day dates or UTC instants.
  calendar.x('X-WR-TIMEZONE', CATALOGUE_TIME_ZONE)
  for (const instrument of instruments) {
    const page = instrumentPage(links.site, instrument.id)
    for (const { uid, at: deadline, label } of calendarDeadlines(instrument)) {
      const allDay = deadline.length === 10
      const start = allDay ? new Date(`${deadline}T00:00:00Z`) : new Date(deadline)
      const event = calendar.createEvent({
        id: uid,
        summary: `${label}: ${instrument.name}`,
        // Kept short: ical-generator folds lines character by character, which dominates its cost.
        description: `${summaryOf(instrument)}\nOfficial information: ${instrument.url}`,
        url: page,
        start,
        end: allDay ? nextDay(deadline) : start,
        allDay,
        stamp: new Date(instrument.updatedAt),
        lastModified: new Date(instrument.updatedAt),
        created: new Date(instrument.createdAt),
        sequence: instrument.version,
      })
      event.createAlarm({
        type: ICalAlarmType.display,
        trigger: REMINDER_DAYS_BEFORE * 24 * 60 * 60,
        description: `${instrument.name} closes in ${REMINDER_DAYS_BEFORE} days`,
      })
    }
  }
  return calendar.toString()
}
