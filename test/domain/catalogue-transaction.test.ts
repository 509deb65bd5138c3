import { describe, expect, it } from 'vitest'
import { DuplicateExternalId, WriteContention } from '../../shared/catalogue/errors'
import { expireInstruments } from '../../shared/catalogue/expiry/expire-instruments'
import type { InstrumentRecord } from '../../shared/catalogue/instrument'
import { COMMIT_RETRY, DynamoInstrumentStore } from '../../shared/catalogue/store'
import { silentLogger } from '../../shared/platform/logger'
import { createTestContext, type TestContext } from '../support/context'
import { instrumentInput } from '../support/factories'
import { interceptTransactions, type TransactionFault, touchesLive } from '../support/transaction-faults'

const NOW = '2026-11-22T10:00:00.000Z'

/** The real store with the documented retry bound and no backoff waits, so a test can exhaust it. */
const withoutWaits = (t: TestContext) =>
  new DynamoInstrumentStore(t.client, t.tableName, 365, { ...COMMIT_RETRY, delayMs: () => 0 })

describe('the catalogue transaction engine owns the retries of a write', () => {
  it('retries a transaction that lost the race on the catalogue version or was throttled', async () => {
    const t = await createTestContext({ now: NOW })
    const faults: (TransactionFault | undefined)[] = ['TransactionConflict', 'ThrottlingError']
    const { sent } = interceptTransactions(t.client, (_, attempt) => faults[attempt - 1])

    const record = await t.store.create(instrumentInput(), 'editor', new Date(NOW))

    expect(sent).toHaveLength(3)
    expect(await t.store.get(record.id)).toEqual(record)
    // Written once: one version bump and one audit event, whatever the attempts before.
    expect(await t.store.catalogueVersion()).toBe(1)
    expect(await t.store.changesSince(0)).toEqual([
      expect.objectContaining({ seq: 1, instrumentId: record.id }),
    ])
  })

  it('gives up after COMMIT_RETRY.maxAttempts transactions with WriteContention, having written nothing', async () => {
    const t = await createTestContext({ now: NOW })
    const { sent } = interceptTransactions(t.client, () => 'TransactionConflict')

    await expect(withoutWaits(t).create(instrumentInput(), 'editor', new Date(NOW))).rejects.toBeInstanceOf(
      WriteContention,
    )

    expect(sent).toHaveLength(COMMIT_RETRY.maxAttempts)
    expect(await t.store.catalogueVersion()).toBe(0)
    expect(await t.store.loadCatalogue()).toEqual({ version: 0, records: [] })
  })

  it('does not retry a write refused by its own condition', async () => {
    const t = await createTestContext({ now: NOW })
    await t.store.create(instrumentInput({ externalId: 'call-2026-1' }), 'editor', new Date(NOW))
    const { sent } = interceptTransactions(t.client, () => undefined)

    await expect(
      t.store.create(instrumentInput({ externalId: 'call-2026-1' }), 'editor', new Date(NOW)),
    ).rejects.toBeInstanceOf(DuplicateExternalId)

    expect(sent).toHaveLength(1)
  })
})

describe('the expiry job adds no retries of its own', () => {
  async function seedExpired(t: TestContext, count: number): Promise<InstrumentRecord[]> {
    const records: InstrumentRecord[] = []
    for (let index = 0; index < count; index++) {
      records.push(
        await t.store.create(instrumentInput({ deadline: '2026-11-01' }), 'editor', new Date('2026-10-01')),
      )
    }
    return records
  }

  it('does not re-send a move whose throttling outlasted the SDK’s own retries', async () => {
    const t = await createTestContext({ now: NOW })
    const [throttled, other] = (await seedExpired(t, 2)) as [InstrumentRecord, InstrumentRecord]
    const transactions = interceptTransactions(t.client, (items) =>
      touchesLive(items, throttled.id) ? 'ThrottlingException' : undefined,
    )

    const summary = await expireInstruments({ store: t.store, clock: t.clock, logger: silentLogger })

    expect(summary).toMatchObject({ scanned: 2, archived: 1, failed: 1 })
    expect(transactions.attemptsOn(throttled.id)).toBe(1)
    expect(transactions.attemptsOn(other.id)).toBe(1)
    expect(await t.store.get(throttled.id)).toEqual(throttled)
  })
})
