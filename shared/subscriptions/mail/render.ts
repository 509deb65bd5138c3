import {
  brusselsFormatter,
  DAY_IN_WORDS,
  formatCalendarDate,
  isDateOnly,
  TIME_OF_DAY,
} from '../../platform/time'

/**
 * Building blocks of the emails. Catalogue text (names, funders, anything an editor or a feed
 * typed) reaches an email only through these: `escapeHtml` for the HTML part, `oneLine` for the
 * plain-text part, where a line break in a name could otherwise forge a line of its own ("Unsubscribe:
 * https://elsewhere"). No images, no remote resources, no tracking of any kind.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] as string)
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL_RUNS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g

/** Text on one line: line breaks, tabs and other control characters become single spaces. */
export function oneLine(text: string): string {
  return text.replace(CONTROL_RUNS, ' ').replace(/ {2,}/g, ' ').trim()
}

/** Markup built by these helpers; anything else interpolated into `html` is escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

type HtmlValue = SafeHtml | string | number | undefined | null | false | readonly HtmlValue[]

function renderValue(value: HtmlValue): string {
  if (value === undefined || value === null || value === false) return ''
  if (value instanceof SafeHtml) return value.value
  if (Array.isArray(value)) return value.map(renderValue).join('')
  return escapeHtml(String(value))
}

/** A template tag that escapes every interpolated value unless it is already `SafeHtml`. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] as string
  values.forEach((value, index) => {
    out += renderValue(value) + (strings[index + 1] as string)
  })
  return new SafeHtml(out)
}

const STYLE = {
  body: 'margin:0;padding:24px;background:#ffffff;color:#1a1a1a;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;',
  link: 'color:#0b57d0;text-decoration:underline;',
  muted: 'color:#4a4a4a;font-size:14px;',
}

export function link(href: string, text: string): SafeHtml {
  return html`<a href="${href}" style="${STYLE.link}">${text}</a>`
}

/** A whole HTML document: language, title, one main heading, readable without images or CSS. */
export function htmlDocument(options: { title: string; body: SafeHtml; footer: SafeHtml }): string {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>${options.title}</title>
</head>
<body style="${STYLE.body}">
<main>
<h1 style="font-size:22px;margin:0 0 16px;">${options.title}</h1>
${options.body}
</main>
<footer style="${STYLE.muted}margin-top:32px;border-top:1px solid #d0d0d0;padding-top:12px;">
${options.footer}
</footer>
</body>
</html>
`.value
}

export const mutedStyle = STYLE.muted

/**
 * A deadline as a reader in Europe reads it, in Brussels time whatever offset it was stored with:
 * "Friday, 26 March 2027, 17:00 CET (Brussels time)"; a date-only deadline closes at the end of that
 * Brussels day.
 */
export function formatDeadline(deadline: string | undefined): string {
  if (deadline === undefined) return 'no deadline (open-ended)'
  if (isDateOnly(deadline)) {
    return `${formatCalendarDate(deadline, { weekday: true })}, end of the day (Brussels time)`
  }
  const parts = brusselsFormatter({ weekday: 'long', ...DAY_IN_WORDS, ...TIME_OF_DAY }).formatToParts(
    new Date(deadline),
  )
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${part('weekday')}, ${part('day')} ${part('month')} ${part('year')}, ${part('hour')}:${part('minute')} ${part('timeZoneName')} (Brussels time)`
}
