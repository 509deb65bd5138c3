import { describe, expect, it } from 'vitest'
import { parseInstrumentCsv } from '../../shared/catalogue/csv/instrument-csv'
import { ImportRolledBack, importInstruments } from '../../shared/catalogue/imports/import-instruments'
import {
  type ChangeOutcome,
  DynamoInstrumentStore,
  type InstrumentChange,
} from '../../shared/catalogue/store'
import { createTestContext } from '../support/context'
import { instrumentInput } from '../support/factories'
import { csvFile, ROW_HEADER, row } from './support'

/**
 * The real DynamoDB store, with another editor saving an instrument just before the import's
 * `afterBatches`-th transaction: what a concurrent edit during a long import looks like.
 */
class RacingStore extends DynamoInstrumentStore {
  constructor(
    t: Awaited<ReturnType<typeof createTestContext>>,
    private readonly race: () => Promise<void>,
  ) {
    super(t.client, t.tableName)
  }

  override async writeMany(
    changes: readonly InstrumentChange[],
    actor: string,
    now: Date,
    onCommitted?: (done: number) => void,
  ): Promise<ChangeOutcome[]> {
    await this.race()
    return super.writeMany(changes, actor, now, onCommitted)
  }
}

async function seedForRace() {
  const t = await createTestContext()
  const now = t.clock.now()
  const target = await t.store.create(instrumentInput({ externalId: 'target' }), 'editor', now)
  // 40 new rows with externalIds need two transactions (3 items each), then the update of `target`.
  const rows = Array.from({ length: 40 }, (_, index) =>
    row({ externalId: `new-${index}`, name: `New ${index}` }),
  )
  rows.push(row({ externalId: 'target', name: 'Import edit of target' }))
  const parsed = parseInstrumentCsv(csvFile(ROW_HEADER, rows))
  const store = new RacingStore(t, async () => {
    await t.store.replace(target.id, { ...target, name: 'Concurrent edit' }, 1, 'other editor', now)
  })
  return { t, now, target, parsed, store }
}

describe('imports racing a concurrent edit', () => {
  it('partial mode: the raced row fails with a version conflict, the others are written', async () => {
    const { t, now, target, parsed, store } = await seedForRace()
    const report = await importInstruments(store, parsed, { actor: 'admin', now })
    expect(report).toMatchObject({ created: 40, updated: 0, failed: 1 })
    const failed = report.records.find((record) => record.outcome === 'failed')
    expect(failed).toMatchObject({ row: 42, externalId: 'target' })
    expect(failed?.errors?.[0]?.message).toMatch(/version 2, not 1/)
    expect((await t.store.get(target.id))?.name).toBe('Concurrent edit')
  })

  it('atomic mode: the batches already committed are undone, audited, and the concurrent edit survives', async () => {
    const { t, now, target, parsed, store } = await seedForRace()
    const error = await importInstruments(store, parsed, { actor: 'admin', now, atomic: true }).catch(
      (e) => e,
    )
    expect(error).toBeInstanceOf(ImportRolledBack)
    expect((error as ImportRolledBack).notUndone).toEqual([])
    expect((error as ImportRolledBack).causes).toEqual([expect.objectContaining({ row: 42 })])
    const live = (await t.store.loadCatalogue()).records
    expect(live.map((record) => record.name)).toEqual(['Concurrent edit'])
    for (let index = 0; index < 40; index++) {
      expect(await t.store.findIdByExternalId(`new-${index}`)).toBeUndefined()
    }
    const audit = await t.store.listAudit({ limit: 200 })
    expect(audit.items.filter((event) => event.action === 'created')).toHaveLength(41)
    expect(
      audit.items.filter((event) => event.action === 'deleted' && event.actor === 'admin (import undone)'),
    ).toHaveLength(40)
    expect(target.id).toBeDefined()
  })
})
