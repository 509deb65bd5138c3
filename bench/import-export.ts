/**
 * `npm run bench:import`: what a spreadsheet import, a CSV export and the feeds cost, on an
 * in-memory DynamoDB Local: wall time and the capacity DynamoDB reports (WCU/RCU), for a first
 * import (all created), a re-import (all unchanged), and the export and feeds of the result.
 *
 * Environment: BENCH_IMPORT_ROWS (default 5000). DynamoDB Local is much slower than DynamoDB at
 * transactions, so the times are an upper bound; the capacity units are what AWS would bill.
 */
import { z } from 'zod'
import { startDynamoDbLocal } from '../scripts/lib/dynamodb-local'
import { syntheticSpreadsheet } from '../scripts/lib/synthetic-spreadsheet'
import { instrumentsToCsv, parseInstrumentCsv } from '../shared/catalogue/csv/instrument-csv'
import { deadlinesCalendar, instrumentsAtom } from '../shared/catalogue/feeds/instrument-feeds'
import { importInstruments } from '../shared/catalogue/imports/import-instruments'
import { LiveCatalogue } from '../shared/catalogue/search/live-catalogue'
import { searchCriteria } from '../shared/catalogue/search/search-query'
import { DynamoInstrumentStore } from '../shared/catalogue/store'
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
  const store = new DynamoInstrumentStore(client, 'bench-import')
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
  const catalogue = new LiveCatalogue(store)
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

  console.log(
    `${rows} rows, ${(Buffer.byteLength(file) / 1024).toFixed(0)} KB CSV in; created ${first.created}, unchanged on re-import ${again.unchanged}; export ${(Buffer.byteLength(csv) / 1024).toFixed(0)} KB; iCalendar ${(Buffer.byteLength(ics) / 1024).toFixed(0)} KB`,
  )
  console.table(results)
} finally {
  await dynamodb.stop()
}
