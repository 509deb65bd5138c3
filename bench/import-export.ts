/**
 * `npm run bench:import`: what a spreadsheet import, a CSV export and the feeds cost, on an
 * in-memory DynamoDB Local: wall time and the capacity DynamoDB reports (WCU/RCU), for a first
 * import (all created), a re-import (all unchanged), and the export and feeds of the result.
 * Then the check of the synchronous bound (SYNC_IMPORT_MAX_ROWS): the worst a synchronous import of
 * that many rows can take, an atomic one that fails at its last row and is undone whole, against
 * the 29 s an API request may last.
 *
 * Environment: BENCH_IMPORT_ROWS (default 5000). DynamoDB Local is much slower than DynamoDB at
 * transactions, so the times are an upper bound; the capacity units are what AWS would bill.
 */
import { z } from 'zod'
import { startDynamoDbLocal } from '../scripts/lib/dynamodb-local'
import { syntheticSpreadsheet } from '../scripts/lib/synthetic-spreadsheet'
import { depsForTable } from '../scripts/lib/table-deps'
import { instrumentsToCsv, parseInstrumentCsv } from '../shared/catalogue/csv/instrument-csv'
import { deadlinesCalendar, instrumentsAtom } from '../shared/catalogue/feeds/instrument-feeds'
import { ImportRolledBack, importInstruments } from '../shared/catalogue/imports/import-instruments'
import { InstrumentInput } from '../shared/catalogue/instrument'
import { searchCriteria } from '../shared/catalogue/search/search-query'
import { parseConfig } from '../shared/platform/config'
import { createDocumentClient, ensureTable, meterCapacity } from '../shared/platform/dynamodb'

const env = z
  .object({ BENCH_IMPORT_ROWS: z.coerce.number().int().min(10).max(50_000).default(5000) })
  .parse(process.env)
const rows = env.BENCH_IMPORT_ROWS

const dynamodb = await startDynamoDbLocal()
try {
  const client = createDocumentClient({ region: 'eu-west-1', endpoint: dynamodb.endpoint })
  await ensureTable(client, 'bench-import')
  const meter = meterCapacity(client)
  const { store, catalogue } = depsForTable({
    client,
    endpoint: dynamodb.endpoint,
    tableName: 'bench-import',
  })
  const file = syntheticSpreadsheet(rows)
  const now = new Date('2026-11-22T10:00:00Z')
  const results: Record<string, string>[] = []
  const measure = async <T>(label: string, work: () => Promise<T> | T): Promise<T> => {
    meter.reset()
    const started = performance.now()
    const value = await work()
    results.push({
      step: label,
      ms: String(Math.round(performance.now() - started)),
      wcu: meter.write.toFixed(0),
      rcu: meter.read.toFixed(0),
    })
    return value
  }

  const parsed = await measure('parse CSV', () => parseInstrumentCsv(file))
  const first = await measure('import (all created)', () =>
    importInstruments(store, parsed, { actor: 'bench', now }),
  )
  const again = await measure('re-import (all unchanged)', () =>
    importInstruments(store, parsed, { actor: 'bench', now }),
  )
  const result = await measure('search all (load catalogue)', () =>
    catalogue.search(searchCriteria({ limit: 10_000 }), now),
  )
  const csv = await measure('export CSV', () => instrumentsToCsv(result.items))
  const links = { self: 'https://x/feed', site: 'https://x', query: '' }
  await measure('Atom (50 entries)', () =>
    instrumentsAtom(result.items.slice(0, 50), links, { title: 'b', now }),
  )
  const ics = await measure('iCalendar (500 events)', () =>
    deadlinesCalendar(result.items.slice(0, 500), links, { title: 'b', now }),
  )

  // The synchronous bound: an atomic import of that many new rows whose last row is refused at write
  // time (its externalId is taken while the import writes), so every row is written and then undone.
  const bound = parseConfig({}).imports.syncMaxRows
  await ensureTable(client, 'bench-sync-bound')
  const { store: boundStore } = depsForTable({
    client,
    endpoint: dynamodb.endpoint,
    tableName: 'bench-sync-bound',
  })
  const boundFile = parseInstrumentCsv(syntheticSpreadsheet(bound))
  const lastExternalId = `bulk-${bound - 1}`
  let phases = { writeMs: 0, undoMs: 0 }
  const worstCase = await measure(`atomic ${bound} rows, undone at the last`, async () => {
    const started = performance.now()
    let undoStarted = 0
    try {
      await importInstruments(boundStore, boundFile, {
        actor: 'bench',
        now,
        atomic: true,
        onProgress: ({ phase, done }) => {
          if (phase === 'writing' && done === 0) {
            const rival = { name: 'Rival', kind: 'call', origin: 'international', url: 'https://example.org' }
            void boundStore.create(
              InstrumentInput.parse({ ...rival, externalId: lastExternalId, features: ['T1'] }),
              'rival',
              now,
            )
          }
          if (phase === 'undoing' && undoStarted === 0) undoStarted = performance.now()
        },
      })
      throw new Error('the bound check expected the import to be undone')
    } catch (error) {
      if (!(error instanceof ImportRolledBack)) throw error
      const ended = performance.now()
      phases = { writeMs: (undoStarted || ended) - started, undoMs: undoStarted ? ended - undoStarted : 0 }
      return error
    }
  })

  console.log(
    `${rows} rows, ${(Buffer.byteLength(file) / 1024).toFixed(0)} KB CSV in; created ${first.created}, unchanged on re-import ${again.unchanged}; export ${(Buffer.byteLength(csv) / 1024).toFixed(0)} KB; iCalendar ${(Buffer.byteLength(ics) / 1024).toFixed(0)} KB`,
  )
  console.table(results)
  const totalMs = phases.writeMs + phases.undoMs
  console.log(
    `Synchronous bound SYNC_IMPORT_MAX_ROWS=${bound}: worst case (atomic, undone whole: ${worstCase.causes.length} refused, ${worstCase.notUndone.length} not undone) ${Math.round(phases.writeMs)} ms writing + ${Math.round(phases.undoMs)} ms undoing = ${Math.round(totalMs)} ms, ${((totalMs / 29_000) * 100).toFixed(0)}% of the API's 29 s (${(29_000 / totalMs).toFixed(1)}x margin).`,
  )
} finally {
  await dynamodb.stop()
}
