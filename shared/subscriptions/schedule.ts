import { brusselsDate, brusselsDayStart, brusselsFormatter } from '../platform/time'
import type { Frequency } from './subscription'

/**
 * When digests go out: daily at 07:00 Brussels time, weekly on Mondays at 07:00 Brussels time,
 * whatever the season (07:00 is 06:00 UTC in summer and 05:00 UTC in winter). A period is named
 * by the Brussels date it starts on; a subscription gets at most one digest per period.
 */
export const DIGEST_HOUR = 7

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000

const brusselsHour = () => brusselsFormatter({ hour: '2-digit', hourCycle: 'h23' })

/** The instant of 07:00 Brussels time on a Brussels date (DST switches happen at 02:00-03:00, before it). */
export function digestSlot(date: string): number {
  const midnight = brusselsDayStart(date)
  for (const hours of [DIGEST_HOUR, DIGEST_HOUR - 1, DIGEST_HOUR + 1]) {
    const instant = midnight + hours * HOUR_MS
    if (Number(brusselsHour().format(instant)) === DIGEST_HOUR) return instant
  }
  throw new RangeError(`No ${DIGEST_HOUR}:00 in Brussels on ${date}`)
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)
}

const stepDays = (frequency: Frequency) => (frequency === 'daily' ? 1 : 7)

/** The period `at` falls in: the latest slot at or before `at` (a Monday's for weekly digests). */
export function digestPeriod(frequency: Frequency, at: Date): { period: string; startsAt: number } {
  let date = brusselsDate(at)
  if (frequency === 'weekly') {
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay()
    date = addDays(date, -((weekday + 6) % 7))
  }
  if (at.getTime() < digestSlot(date)) date = addDays(date, -stepDays(frequency))
  return { period: date, startsAt: digestSlot(date) }
}

/** When the digest after `period` is due. */
export function nextDueAt(frequency: Frequency, period: string): number {
  return digestSlot(addDays(period, stepDays(frequency)))
}

/** A newly confirmed subscription's first digest: the first slot after `at`. */
export function firstDueAt(frequency: Frequency, at: Date): number {
  return nextDueAt(frequency, digestPeriod(frequency, at).period)
}
