import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { expireInstruments } from '../../shared/catalogue/expiry/expire-instruments'
import { isExpired } from '../../shared/catalogue/instrument'
import { silentLogger } from '../../shared/platform/logger'
import { brusselsDate, brusselsDayStart, deadlineExpiresAt } from '../../shared/platform/time'
import { createTestContext } from '../support/context'
import { instrumentInput } from '../support/factories'

/** Deadline -> the first instant (UTC) at which it has passed, worked out by hand from the DST rules. */
const EDGES: [label: string, deadline: string, expiresAt: string][] = [
  ['winter day (CET, UTC+1)', '2026-01-15', '2026-01-15T23:00:00.000Z'],
  ['summer day (CEST, UTC+2)', '2026-07-15', '2026-07-15T22:00:00.000Z'],
  ['the day before spring forward (ends in CET)', '2026-03-28', '2026-03-28T23:00:00.000Z'],
  ['spring-forward day, 23 hours long (ends in CEST)', '2026-03-29', '2026-03-29T22:00:00.000Z'],
  ['the day before fall back (ends in CEST)', '2026-10-24', '2026-10-24T22:00:00.000Z'],
  ['fall-back day, 25 hours long (ends in CET)', '2026-10-25', '2026-10-25T23:00:00.000Z'],
  ['new year’s eve', '2026-12-31', '2026-12-31T23:00:00.000Z'],
  ['leap day', '2028-02-29', '2028-02-29T23:00:00.000Z'],
  ['date-time in UTC', '2026-11-22T12:00:00Z', '2026-11-22T12:00:00.001Z'],
  ['date-time in Brussels summer time', '2026-07-01T17:00:00+02:00', '2026-07-01T15:00:00.001Z'],
  ['date-time east of UTC (India)', '2026-11-22T12:00:00+05:30', '2026-11-22T06:30:00.001Z'],
  ['date-time west of UTC (US Pacific)', '2026-11-22T23:30:00-08:00', '2026-11-23T07:30:00.001Z'],
  ['date-time with milliseconds', '2026-11-22T12:00:00.250Z', '2026-11-22T12:00:00.251Z'],
  ['date-time in the repeated hour of fall back', '2026-10-25T02:30:00+01:00', '2026-10-25T01:30:00.001Z'],
]

const before = (instant: string) => new Date(Date.parse(instant) - 1)

describe('deadline semantics', () => {
  it.each(EDGES)('%s: %s has passed from %s on, not a millisecond earlier', (_label, deadline, expires) => {
    expect(new Date(deadlineExpiresAt(deadline)).toISOString()).toBe(expires)
    expect(isExpired({ deadline }, before(expires))).toBe(false)
    expect(isExpired({ deadline }, new Date(expires))).toBe(true)
    expect(isExpired({ deadline }, new Date(Date.parse(expires) + 1))).toBe(true)
  })

  it('an open-ended instrument never expires', () => {
    expect(isExpired({}, new Date('2999-12-31T23:59:59Z'))).toBe(false)
  })

  it('a date-only deadline lasts until the last millisecond of that Brussels day, for any day', () => {
    const day = fc.date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    fc.assert(
      fc.property(day, (instant) => {
        const date = instant.toISOString().slice(0, 10)
        const expires = deadlineExpiresAt(date)
        // The last open millisecond is still that day in Brussels; the first closed one is the next day.
        expect(brusselsDate(new Date(expires - 1))).toBe(date)
        expect(brusselsDate(new Date(expires))).not.toBe(date)
        expect(brusselsDayStart(brusselsDate(new Date(expires)))).toBe(expires)
        // 23, 24 or 25 hours after the day began (DST switches).
        expect([23, 24, 25]).toContain((expires - brusselsDayStart(date)) / 3_600_000)
      }),
      { numRuns: 500 },
    )
  })
})

describe('the expiry job honours the deadline to the millisecond', () => {
  it('archives each edge case at its instant, never a millisecond early', async () => {
    const t = await createTestContext({ now: '2025-12-01T00:00:00.000Z' })
    const ids = new Map<string, string>()
    for (const [, deadline] of EDGES) {
      const record = await t.store.create(
        instrumentInput({ deadline }),
        'editor',
        new Date('2025-12-01T00:00:00Z'),
      )
      ids.set(deadline, record.id)
    }
    const run = () => expireInstruments({ store: t.store, clock: t.clock, logger: silentLogger, pageSize: 3 })
    const byInstant = [...EDGES].sort((a, b) => Date.parse(a[2]) - Date.parse(b[2]))
    for (const [label, deadline, expires] of byInstant) {
      const id = ids.get(deadline) as string
      t.clock.set(before(expires))
      await run()
      expect(await t.store.get(id), `${label}: still live 1 ms before`).toBeDefined()
      t.clock.set(expires)
      await run()
      expect(await t.store.get(id), `${label}: gone at ${expires}`).toBeUndefined()
      expect((await t.store.getArchived(id))?.archivedAt).toBe(expires)
    }
  })
})
