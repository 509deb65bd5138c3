import { describe, expect, it } from 'vitest'
import { expireInstruments } from '../../shared/catalogue/expiry/expire-instruments'
import type { InstrumentRecord } from '../../shared/catalogue/instrument'
import { COMMIT_RETRY, DynamoInstrumentStore } from '../../shared/catalogue/store'
import type { InstrumentStore } from '../../shared/catalogue/store/instrument-store'
import { silentLogger } from '../../shared/platform/logger'
import { createTestContext, type TestContext } from '../support/context'
import { instrumentInput } from '../support/factories'
import { interceptTransactions, touchesLive } from '../support/transaction-faults'

const NOW = '2026-11-22T10:00:00.000Z'

/** The real store with some of its methods replaced, to inject crashes and races. */
function wrapStore(store: InstrumentStore, overrides: Partial<InstrumentStore>): InstrumentStore {
  return new Proxy(store, {
    get(target, property) {
      if (property in overrides) return overrides[property as keyof InstrumentStore]
      const value = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/** `expired` instruments whose deadlines have passed at NOW and `open` ones that have not. */
async function seedCatalogue(t: TestContext, expired: number, open: number) {
  const createdAt = new Date('2026-01-10T08:00:00Z')
  const create = (deadline: string, name: string) =>
    t.store.create(instrumentInput({ deadline, name }), 'editor', createdAt)
  const expiredRecords: InstrumentRecord[] = []
  const openRecords: InstrumentRecord[] = []
  for (let index = 0; index < expired; index++) {
    expiredRecords.push(
      await create(`2026-11-${String(1 + (index % 21)).padStart(2, '0')}`, `Closed ${index}`),
    )
  }
  for (let index = 0; index < open; index++) {
    openRecords.push(await create(`2027-0${1 + (index % 9)}-15`, `Open ${index}`))
  }
  return { expiredRecords, openRecords }
}

async function expiredEventsById(store: InstrumentStore): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  for (const event of await store.changesSince(0)) {
    if (event.action === 'expired') counts.set(event.instrumentId, (counts.get(event.instrumentId) ?? 0) + 1)
  }
  return counts
}

async function expectAllArchivedOnceAndOpenUntouched(
  t: TestContext,
  expiredRecords: InstrumentRecord[],
  openRecords: InstrumentRecord[],
) {
  const events = await expiredEventsById(t.store)
  expect(events.size).toBe(expiredRecords.length)
  for (const record of expiredRecords) {
    expect(events.get(record.id), record.id).toBe(1)
    expect(await t.store.get(record.id)).toBeUndefined()
    expect((await t.store.getArchived(record.id))?.instrument).toEqual(record)
  }
  for (const record of openRecords) expect(await t.store.get(record.id)).toEqual(record)
}

const run = (t: TestContext, store: InstrumentStore = t.store, extra = {}) =>
  expireInstruments({ store, clock: t.clock, logger: silentLogger, ...extra })

describe('expiry is idempotent and crash-safe', () => {
  it('archives nothing the second time', async () => {
    const t = await createTestContext({ now: NOW })
    const { expiredRecords, openRecords } = await seedCatalogue(t, 5, 3)
    const first = await run(t)
    expect(first).toMatchObject({ scanned: 5, archived: 5, skipped: 0, failed: 0 })
    const version = await t.store.catalogueVersion()
    const second = await run(t)
    expect(second).toMatchObject({ scanned: 0, archived: 0, skipped: 0, failed: 0, complete: true })
    expect(await t.store.catalogueVersion()).toBe(version)
    await expectAllArchivedOnceAndOpenUntouched(t, expiredRecords, openRecords)
  })

  it('after a crash mid-run, a re-run archives every expired instrument exactly once', async () => {
    const t = await createTestContext({ now: NOW })
    const { expiredRecords, openRecords } = await seedCatalogue(t, 30, 10)
    const versionBefore = await t.store.catalogueVersion()
    let calls = 0
    const crashing = wrapStore(t.store, {
      archive: async (id, options) => {
        calls += 1
        if (calls <= 12) return t.store.archive(id, options)
        if (calls === 13) {
          // The worst moment: the move committed, then the process died before hearing so.
          await t.store.archive(id, options)
          throw new Error('simulated crash after commit')
        }
        throw new Error('simulated crash: process gone')
      },
    })
    const crashed = await run(t, crashing, { pageSize: 7, concurrency: 3 })
    expect(crashed).toMatchObject({ scanned: 30, archived: 12, failed: 18 })
    expect((await expiredEventsById(t.store)).size).toBe(13)

    const rerun = await run(t, t.store, { pageSize: 7 })
    expect(rerun).toMatchObject({ archived: 17, failed: 0 })
    await expectAllArchivedOnceAndOpenUntouched(t, expiredRecords, openRecords)
    expect(await t.store.catalogueVersion()).toBe(versionBefore + 30)
  })

  it('two runs at the same time archive each instrument once between them', async () => {
    const t = await createTestContext({ now: NOW })
    const { expiredRecords, openRecords } = await seedCatalogue(t, 20, 5)
    const [a, b] = await Promise.all([run(t, t.store, { pageSize: 4 }), run(t, t.store, { pageSize: 6 })])
    expect(a.archived + b.archived).toBe(20)
    expect(a.failed + b.failed).toBe(0)
    await expectAllArchivedOnceAndOpenUntouched(t, expiredRecords, openRecords)
  })
})

describe('expiry never archives on stale data', () => {
  it('an editor extending the deadline while the job runs wins', async () => {
    const t = await createTestContext({ now: NOW })
    const { expiredRecords } = await seedCatalogue(t, 3, 0)
    const [extended, ...others] = expiredRecords as [InstrumentRecord, ...InstrumentRecord[]]
    let raced = false
    const racing = wrapStore(t.store, {
      listExpiredBy: async (at, options) => {
        const page = await t.store.listExpiredBy(at, options)
        if (!raced) {
          raced = true
          // Between the job's read and its archive, an editor reopens the call for another year.
          const { id, version, createdAt, updatedAt, createdBy, updatedBy, ...input } = extended
          await t.store.replace(id, { ...input, deadline: '2027-11-30' }, version, 'editor', new Date(NOW))
        }
        return page
      },
    })
    const summary = await run(t, racing)
    expect(raced).toBe(true)
    expect(summary).toMatchObject({ scanned: 3, archived: 2, skipped: 1, failed: 0 })
    expect(await t.store.get(extended.id)).toMatchObject({ deadline: '2027-11-30', version: 2 })
    expect(await t.store.getArchived(extended.id)).toBeUndefined()
    const events = await expiredEventsById(t.store)
    expect(events.has(extended.id)).toBe(false)
    for (const record of others) expect(events.get(record.id)).toBe(1)
    // A later run leaves the extended call alone.
    expect(await run(t)).toMatchObject({ scanned: 0, archived: 0 })
  })

  it('re-checks each index entry against its record: a stale entry whose record is not expired is skipped', async () => {
    const t = await createTestContext({ now: NOW })
    const { openRecords } = await seedCatalogue(t, 0, 1)
    const open = openRecords[0] as InstrumentRecord
    let archiveCalls = 0
    const laggingIndex = wrapStore(t.store, {
      // As an eventually consistent index may: an entry for a record that is not (or no longer) expired.
      listExpiredBy: async () => ({ items: [open] }),
      archive: async (id, options) => {
        archiveCalls += 1
        return t.store.archive(id, options)
      },
    })
    expect(await run(t, laggingIndex)).toMatchObject({ scanned: 1, archived: 0, skipped: 1, failed: 0 })
    expect(archiveCalls).toBe(0)
    expect(await t.store.get(open.id)).toEqual(open)
  })
})

describe('expiry under throttling', () => {
  it('retries throttled moves in the store only, within its bound, and reports what still failed', async () => {
    const t = await createTestContext({ now: NOW })
    const { expiredRecords } = await seedCatalogue(t, 4, 0)
    const [throttledLonger, ...rest] = expiredRecords as [InstrumentRecord, ...InstrumentRecord[]]
    // Two throttled attempts each, and one instrument throttled for longer than the store retries.
    const transactions = interceptTransactions(t.client, (items) => {
      const record = expiredRecords.find(({ id }) => touchesLive(items, id))
      if (!record) return undefined
      const attempt = transactions.attemptsOn(record.id)
      return attempt <= (record === throttledLonger ? COMMIT_RETRY.maxAttempts : 2)
        ? 'ThrottlingError'
        : undefined
    })
    // The store's documented retry bound, without its backoff waits.
    const store = new DynamoInstrumentStore(t.client, t.tableName, 365, { ...COMMIT_RETRY, delayMs: () => 0 })
    const summary = await run(t, store)
    expect(summary).toMatchObject({ scanned: 4, archived: 3, failed: 1, skipped: 0 })
    // One retry layer: the store's bound per move, not that bound times retries of the job.
    expect(transactions.attemptsOn(throttledLonger.id)).toBe(COMMIT_RETRY.maxAttempts)
    for (const record of rest) expect(transactions.attemptsOn(record.id)).toBe(3)
    expect(await t.store.get(throttledLonger.id)).toEqual(throttledLonger)
    // The next run picks up what was left.
    expect(await run(t)).toMatchObject({ scanned: 1, archived: 1, failed: 0 })
  })

  it('stops between pages when asked to (a Lambda near its timeout) and a later run finishes', async () => {
    const t = await createTestContext({ now: NOW })
    const { expiredRecords } = await seedCatalogue(t, 5, 0)
    let pages = 0
    const partial = await run(t, t.store, { pageSize: 2, shouldContinue: () => pages++ < 1 })
    expect(partial).toMatchObject({ scanned: 2, archived: 2, complete: false })
    const rest = await run(t)
    expect(rest).toMatchObject({ scanned: 3, archived: 3, complete: true })
    await expectAllArchivedOnceAndOpenUntouched(t, expiredRecords, [])
  })
})
