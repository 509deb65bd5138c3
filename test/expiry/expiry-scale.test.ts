import { describe, expect, it } from 'vitest'
import { expireInstruments } from '../../shared/catalogue/expiry/expire-instruments'
import { meterCapacity } from '../../shared/platform/dynamodb'
import { silentLogger } from '../../shared/platform/logger'
import { createTestContext } from '../support/context'
import { bulkLoadLive, seedRecords } from './seed'

const NOW = '2026-11-22T10:00:00.000Z'

/** Live instruments that stay: most with a future deadline (in the index), some open-ended (not). */
const liveRecords = (count: number) =>
  seedRecords(count, (index) =>
    index % 5 === 0
      ? { deadline: undefined }
      : { deadline: `2027-${String(1 + (index % 12)).padStart(2, '0')}-28` },
  )

const expiredRecords = (count: number, day = 21) =>
  seedRecords(count, (index) => ({
    deadline:
      index % 2
        ? `2026-11-${String(1 + (index % day)).padStart(2, '0')}`
        : `2026-11-22T09:${String(index % 60).padStart(2, '0')}:00+01:00`,
  }))

describe('expiry at scale', () => {
  it('archives 2,000 expired instruments among 20,000 live ones in one run', {
    timeout: 600_000,
  }, async () => {
    const t = await createTestContext({ now: NOW })
    const expired = expiredRecords(2_000)
    await bulkLoadLive(t.client, t.tableName, [...liveRecords(18_000), ...expired])

    const summary = await expireInstruments({ store: t.store, clock: t.clock, logger: silentLogger })
    console.log(`2,000 of 20,000: ${JSON.stringify(summary)}`)
    expect(summary).toMatchObject({ scanned: 2_000, archived: 2_000, skipped: 0, failed: 0, complete: true })
    expect(await t.store.catalogueVersion()).toBe(2_000)
    const { records } = await t.store.loadCatalogue()
    expect(records).toHaveLength(18_000)
    expect(records.every((record) => record.deadline === undefined || record.deadline >= '2027')).toBe(true)
    const ids = new Set(records.map((record) => record.id))
    expect(expired.some((record) => ids.has(record.id))).toBe(false)
    const events = await t.store.changesSince(0)
    expect(events).toHaveLength(2_000)
    expect(new Set(events.map((event) => event.instrumentId)).size).toBe(2_000)
    expect(await expireInstruments({ store: t.store, clock: t.clock, logger: silentLogger })).toMatchObject({
      scanned: 0,
      archived: 0,
    })
  })

  it('reads the same capacity for 10 expired instruments whether 1,000 or 20,000 are live', {
    timeout: 600_000,
  }, async () => {
    const t = await createTestContext({ now: NOW })
    const meter = meterCapacity(t.client)
    const measure = async () => {
      meter.reset()
      const summary = await expireInstruments({ store: t.store, clock: t.clock, logger: silentLogger })
      expect(summary).toMatchObject({ scanned: 10, archived: 10, failed: 0 })
      return { read: meter.read, write: meter.write }
    }

    await bulkLoadLive(t.client, t.tableName, [...liveRecords(1_000), ...expiredRecords(10)])
    const small = await measure()
    await bulkLoadLive(t.client, t.tableName, [...liveRecords(19_000), ...expiredRecords(10)])
    expect((await t.store.loadCatalogue()).records).toHaveLength(20_010)
    const large = await measure()

    console.log(`10 expired: ${JSON.stringify({ live1000: small, live20000: large })}`)
    expect(small.read).toBeGreaterThan(0)
    // A Scan or a read of the catalogue would cost hundreds of RCUs more at 20,000 items. A few
    // RCUs of difference are retries: two moves in flight race for the catalogue version item and
    // the loser re-reads it (1 RCU), more often on a loaded machine.
    expect(Math.abs(large.read - small.read)).toBeLessThanOrEqual(10)
    expect(large.read).toBeLessThan(30)
  })
})
