import { brusselsDate, brusselsFormatter, brusselsMidnight } from '../../../platform/time'

/**
 * Dates as the portal writes them: `2027-04-15T17:00:00.000+0200` (offset without a colon),
 * sometimes `+0000` or `Z`, and in some recordings a plain `2026-11-05`.
 *
 * - A date-time keeps its wall-clock time and offset, written as RFC 3339 (`+02:00`).
 * - Midnight UTC exactly (`T00:00:00.000+0000`) is how the portal's search index stores a deadline
 *   whose time it does not hold (every topic deadline of the 2026 recordings has it, while the real
 *   closing time, usually 17:00 Brussels, is only on the topic's page). Read as an instant it would
 *   close the call at 01:00 or 02:00 Brussels time on its last day; it is read as the date it
 *   names, which closes at the end of that day in Brussels (the catalogue's rule for dates).
 */

/** A date or date-time from the portal, normalised; `kind` says which. */
export type PortalDate =
  | { kind: 'date'; value: string }
  | { kind: 'date-time'; value: string; instant: number }

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

/** The portal's date, or undefined if it is not one (text dates, impossible days, no offset). */
export function parsePortalDate(raw: string): PortalDate | undefined {
  const match = DATE_TIME.exec(raw.trim())
  if (!match) return undefined
  const [, y, mo, d, h, mi, s = '00', fraction = '', zone] = match as unknown as string[]
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  if (!isCalendarDate(year, month, day)) return undefined
  const date = `${y}-${mo}-${d}`
  if (h === undefined) return { kind: 'date', value: date }
  // A time without an offset names no instant.
  if (!zone) return undefined
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined
  const offset = zone === 'Z' ? '+00:00' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`
  const [offsetHours, offsetMinutes] = offset.slice(1).split(':').map(Number) as [number, number]
  if (offsetHours > 18 || offsetMinutes > 59) return undefined
  const millis = `${fraction}000`.slice(0, 3)
  if (offset === '+00:00' && h === '00' && mi === '00' && s === '00' && Number(millis) === 0) {
    return { kind: 'date', value: date }
  }
  const value = `${date}T${h}:${mi}:${s}.${millis}${offset}`
  return { kind: 'date-time', value, instant: Date.parse(value) }
}

/** The instant of a portal date: a date-time's own, a date's start of day in Brussels. */
export function startInstant(date: PortalDate): number {
  if (date.kind === 'date-time') return date.instant
  const [y, m, d] = date.value.split('-').map(Number) as [number, number, number]
  return brusselsMidnight(y, m, d)
}

/** The Brussels calendar day of a portal date (what `opensAt` holds). */
export function brusselsDay(date: PortalDate): string {
  return date.kind === 'date' ? date.value : brusselsDate(new Date(date.instant))
}

/**
 * The last millisecond of a Brussels day as an RFC 3339 date-time with Brussels' offset that day
 * (`2026-10-08T23:59:59.999+02:00`): a date-only cut-off written as the date-time the catalogue's
 * `cutOffs` need, closing at the same instant as the date would.
 */
export function endOfBrusselsDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const lastMillisecond = brusselsMidnight(y, m, d + 1) - 1
  const zone =
    brusselsFormatter({ timeZoneName: 'longOffset' })
      .formatToParts(new Date(lastMillisecond))
      .find((part) => part.type === 'timeZoneName')?.value ?? 'GMT+01:00'
  const offset = zone === 'GMT' ? '+00:00' : zone.slice(3)
  return `${date}T23:59:59.999${offset}`
}
