/** Time is injected so that expiry and status can be tested at any instant, DST switches included. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

export function fixedClock(
  at: Date | string,
): Clock & { set(at: Date | string): void; advance(ms: number): void } {
  let current = new Date(at)
  return {
    now: () => new Date(current),
    set: (next) => {
      current = new Date(next)
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms)
    },
  }
}

export const CATALOGUE_TIME_ZONE = 'Europe/Brussels'

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/

/** A calendar date, `YYYY-MM-DD` (a date-only deadline), rather than a date-time. */
export function isDateOnly(value: string): boolean {
  return DATE_ONLY.test(value)
}

type FormatFields = Omit<Intl.DateTimeFormatOptions, 'timeZone'>

const formatters = new Map<string, Intl.DateTimeFormat>()

/**
 * Every en-GB date formatter, built on first use and then kept: a formatter with a time zone loads
 * ICU's zone data, about 20 ms that a cold start should not pay before a request needs a date.
 */
function formatter(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify(options)
  let format = formatters.get(key)
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', options)
    formatters.set(key, format)
  }
  return format
}

/** Brussels wall-clock time, the catalogue's time (deadlines, digests, schedules), in these fields. */
export function brusselsFormatter(fields: FormatFields): Intl.DateTimeFormat {
  return formatter({ ...fields, timeZone: CATALOGUE_TIME_ZONE })
}

/** How pages and emails write a day and a time of day: "31 March 2027", "17:00 CEST". */
export const DAY_IN_WORDS = { day: 'numeric', month: 'long', year: 'numeric' } as const
export const TIME_OF_DAY = {
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
} as const

/**
 * A calendar date (`YYYY-MM-DD`) in words, "31 March 2027" (with `weekday`, the day's name first).
 * A date names a day, not an instant: it is formatted in UTC, where it cannot shift to another day.
 */
export function formatCalendarDate(date: string, options: { weekday?: boolean } = {}): string {
  return formatter({
    ...(options.weekday ? { weekday: 'long' } : {}),
    ...DAY_IN_WORDS,
    timeZone: 'UTC',
  }).format(new Date(`${date}T00:00:00Z`))
}

const brusselsParts = () =>
  brusselsFormatter({
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })

/** Offset of Brussels from UTC at an instant, in milliseconds (+1h in winter, +2h in summer). */
function brusselsOffsetMs(instant: number): number {
  const parts = Object.fromEntries(
    brusselsParts()
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  )
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  )
  return asUtc - Math.floor(instant / 1000) * 1000
}

/** The instant at which a Brussels wall-clock midnight of the given calendar day occurs. */
export function brusselsMidnight(year: number, month: number, day: number): number {
  const wallClockAsUtc = Date.UTC(year, month - 1, day)
  // Midnight is never inside a DST gap in Brussels (switches happen at 02:00/03:00), so two
  // refinements of the offset are exact.
  let instant = wallClockAsUtc - brusselsOffsetMs(wallClockAsUtc)
  instant = wallClockAsUtc - brusselsOffsetMs(instant)
  return instant
}

/** Today's calendar date in Brussels, `YYYY-MM-DD`. */
export function brusselsDate(at: Date): string {
  const parts = Object.fromEntries(
    brusselsParts()
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  )
  return `${parts.year}-${parts.month}-${parts.day}`
}

/**
 * The first millisecond at which a deadline has passed. A date-only deadline closes at the end of
 * that day in Brussels, so it expires at the next Brussels midnight; a date-time closes at that
 * instant, so it expires one millisecond later. An instrument is expired iff `now >= expiresAt`.
 */
export function deadlineExpiresAt(deadline: string): number {
  const dateOnly = DATE_ONLY.exec(deadline)
  if (dateOnly) {
    const [, y, m, d] = dateOnly
    return brusselsMidnight(Number(y), Number(m), Number(d) + 1)
  }
  const instant = Date.parse(deadline)
  if (Number.isNaN(instant)) throw new RangeError(`Not a deadline: ${deadline}`)
  return instant + 1
}

/** Start of a Brussels calendar day (`YYYY-MM-DD`), as an instant. */
export function brusselsDayStart(date: string): number {
  const match = DATE_ONLY.exec(date)
  if (!match) throw new RangeError(`Not a date: ${date}`)
  return brusselsMidnight(Number(match[1]), Number(match[2]), Number(match[3]))
}
