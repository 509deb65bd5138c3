/**
 * `npm run bench`: what a catalogue search costs, side by side with a key lookup and a naive
 * Scan + FilterExpression, at several catalogue sizes, on an in-memory DynamoDB Local.
 *
 * Environment (parsed with zod): BENCH_SIZES (default 1000,10000,50000), BENCH_ROUNDS (timed
 * search/lookup pairs per size, default 600), BENCH_NAIVE_QUERIES (naive searches per size,
 * default 10; one from 50k instruments up, where each Scan takes over a minute on DynamoDB Local).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { z } from 'zod'
import { createApp } from '../functions/api/app'
import { bulkLoadLive } from '../scripts/lib/bulk-load'
import { startDynamoDbLocal } from '../scripts/lib/dynamodb-local'
import { generateCatalogue, random } from '../scripts/lib/synthetic-catalogue'
import { InstrumentInput, isExpired } from '../shared/catalogue/instrument'
import { SearchQuery, searchQueryFromParams } from '../shared/catalogue/search/search-query'
import { createDeps } from '../shared/deps'
import { parseConfig } from '../shared/platform/config'
import { createDocumentClient, ensureTable, meterCapacity } from '../shared/platform/dynamodb'
import { silentLogger } from '../shared/platform/logger'
import { naiveScanSearch } from './naive-scan-search'

const BenchEnv = z.object({
  BENCH_SIZES: z
    .string()
    .default('1000,10000,50000')
    .transform((value) => value.split(',').map((size) => Number(size.trim())))
    .pipe(z.array(z.number().int().min(10).max(200_000)).min(1)),
  BENCH_ROUNDS: z.coerce.number().int().min(50).max(100_000).default(600),
  BENCH_NAIVE_QUERIES: z.coerce.number().int().min(1).max(100).default(10),
})
const env = BenchEnv.parse(process.env)

/** The search mix: features any/all, text, filters, every sort, deep pages. */
const SEARCH_MIX = [
  'features=T1,P12',
  'features=P12,P3,T9&match=all',
  'q=cyber',
  'q=innovation%20societe',
  'origin=national&country=DK,NO,SE&kind=call&sort=deadline',
  'closingWithin=30&sort=deadline',
  'budgetMin=100000&budgetMax=500000&sort=name',
  'features=T13,T14&sort=updated&page=5&limit=50',
  'sort=name&page=50&limit=100',
  'features=G1,G13,G14&deadlineFrom=2027-01-01&deadlineTo=2027-06-30&q=export',
  'q=drones%20inspection&features=P4&origin=regional',
  'kind=programme&sort=relevance&features=D2,D3,G4&page=3',
]

const log = (message: string) => process.stdout.write(`${message}\n`)

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index] ?? Number.NaN
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now()
  const result = await work()
  return [performance.now() - started, result]
}

async function benchSize(endpoint: string, size: number) {
  const tableName = `bench-${size}-${Date.now()}`
  const client = createDocumentClient({ region: 'eu-west-1', endpoint })
  await ensureTable(client, tableName)
  const now = new Date()
  const records = generateCatalogue(size, now)

  log(`\n[${size}] loading ${size} synthetic instruments into ${tableName}...`)
  const loadStarted = performance.now()
  let nextReport = 0.1
  await bulkLoadLive(client, tableName, records, {
    bumpCatalogueVersion: true,
    onProgress: (written, total) => {
      if (written / total < nextReport) return
      log(`[${size}]   ${Math.round((written / total) * 100)}% written`)
      nextReport += 0.1
    },
  })
  log(`[${size}]   written in ${round((performance.now() - loadStarted) / 1000, 1)} s`)

  const meter = meterCapacity(client)
  const config = parseConfig({ TABLE_NAME: tableName, DYNAMODB_ENDPOINT: endpoint, LOG_LEVEL: 'silent' })
  // The app's real dependencies, on the metered client.
  const deps = createDeps(config, { client, logger: silentLogger })
  const { store, catalogue } = deps
  const app = createApp(deps)

  log(`[${size}] cold load of the search projection...`)
  meter.reset()
  const [coldMs] = await timed(() => catalogue.current())
  const coldRcu = meter.read
  log(`[${size}]   ${round(coldMs, 0)} ms, ${round(coldRcu, 1)} RCU`)

  const liveIds = records.filter((record) => !isExpired(record, now)).map((record) => record.id)
  const next = random(7)
  const request = async (path: string) => {
    const response = await app.request(path)
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`)
    await response.arrayBuffer()
  }
  for (let warm = 0; warm < 50; warm++) {
    await request(`/v1/instruments?${SEARCH_MIX[warm % SEARCH_MIX.length]}`)
    await request(`/v1/instruments/${liveIds[Math.floor(next() * liveIds.length)]}`)
  }

  log(
    `[${size}] ${env.BENCH_ROUNDS} rounds of one search (mix of ${SEARCH_MIX.length}) and one key lookup...`,
  )
  const searchMs: number[] = []
  const lookupMs: number[] = []
  for (let index = 0; index < env.BENCH_ROUNDS; index++) {
    const [search] = await timed(() => request(`/v1/instruments?${SEARCH_MIX[index % SEARCH_MIX.length]}`))
    searchMs.push(search)
    const [lookup] = await timed(() =>
      request(`/v1/instruments/${liveIds[Math.floor(next() * liveIds.length)]}`),
    )
    lookupMs.push(lookup)
    if ((index + 1) % Math.ceil(env.BENCH_ROUNDS / 4) === 0)
      log(`[${size}]   ${index + 1}/${env.BENCH_ROUNDS}`)
  }

  meter.reset()
  const rcuSearches = SEARCH_MIX.length * 5
  for (let index = 0; index < rcuSearches; index++) {
    await request(`/v1/instruments?${SEARCH_MIX[index % SEARCH_MIX.length]}`)
  }
  const rcuPerSearch = meter.read / rcuSearches
  meter.reset()
  for (let index = 0; index < 50; index++) await request(`/v1/instruments/${liveIds[index % liveIds.length]}`)
  const rcuPerLookup = meter.read / 50

  const naiveQueries = size >= 50_000 ? 1 : env.BENCH_NAIVE_QUERIES
  log(`[${size}] naive Scan + FilterExpression baseline, ${naiveQueries} searches...`)
  const naiveMs: number[] = []
  meter.reset()
  for (let index = 0; index < naiveQueries; index++) {
    const query = SEARCH_MIX[index % SEARCH_MIX.length] as string
    const criteria = SearchQuery.parse(searchQueryFromParams(new URLSearchParams(query)))
    const [ms] = await timed(() => naiveScanSearch(client, tableName, criteria, now))
    naiveMs.push(ms)
    log(`[${size}]   ${index + 1}/${naiveQueries}: ${round(ms, 0)} ms`)
  }
  const naiveRcu = meter.read / naiveQueries

  // After one write, the next search replays the change instead of reloading everything.
  const changed = records.find((record) => !isExpired(record, now))
  let refreshMs = Number.NaN
  let refreshRcu = Number.NaN
  if (changed) {
    const { id, version, createdAt, updatedAt, createdBy, updatedBy, ...input } = changed
    await store.replace(
      id,
      InstrumentInput.parse({ ...input, name: `${input.name} (updated)` }),
      version,
      'bench',
      now,
    )
    meter.reset()
    ;[refreshMs] = await timed(() => catalogue.current())
    refreshRcu = meter.read
  }

  return {
    size,
    search: { p50Ms: round(percentile(searchMs, 50), 3), p99Ms: round(percentile(searchMs, 99), 3) },
    lookup: { p50Ms: round(percentile(lookupMs, 50), 3), p99Ms: round(percentile(lookupMs, 99), 3) },
    searchToLookupP50: round(percentile(searchMs, 50) / percentile(lookupMs, 50), 2),
    naive: {
      searches: naiveQueries,
      p50Ms: round(percentile(naiveMs, 50), 1),
      p99Ms: round(percentile(naiveMs, 99), 1),
      rcuPerSearch: round(naiveRcu, 1),
    },
    speedupVsNaiveP50: round(percentile(naiveMs, 50) / percentile(searchMs, 50), 0),
    rcuPerWarmSearch: round(rcuPerSearch, 3),
    rcuPerLookup: round(rcuPerLookup, 3),
    coldLoad: { ms: round(coldMs, 0), rcu: round(coldRcu, 1) },
    refreshAfterOneWrite: { ms: round(refreshMs, 1), rcu: round(refreshRcu, 1) },
    stats: catalogue.stats(),
  }
}

function table(results: Awaited<ReturnType<typeof benchSize>>[]): string {
  const rows = [
    [
      'size',
      'search p50/p99 ms',
      'lookup p50/p99 ms',
      'search/lookup',
      'naive p50 ms',
      'x faster',
      'RCU/search',
      'naive RCU',
      'cold ms / RCU',
      'after write ms / RCU',
    ],
    ...results.map((r) => [
      String(r.size),
      `${r.search.p50Ms} / ${r.search.p99Ms}`,
      `${r.lookup.p50Ms} / ${r.lookup.p99Ms}`,
      `${r.searchToLookupP50}x`,
      String(r.naive.p50Ms),
      `${r.speedupVsNaiveP50}x`,
      String(r.rcuPerWarmSearch),
      String(r.naive.rcuPerSearch),
      `${r.coldLoad.ms} / ${r.coldLoad.rcu}`,
      `${r.refreshAfterOneWrite.ms} / ${r.refreshAfterOneWrite.rcu}`,
    ]),
  ]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows
    .map((row) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`)
    .join('\n')
}

const dynamodb = await startDynamoDbLocal()
log(`DynamoDB Local (in memory) at ${dynamodb.endpoint}; sizes ${env.BENCH_SIZES.join(', ')}`)
try {
  const results = []
  for (const size of env.BENCH_SIZES) results.push(await benchSize(dynamodb.endpoint, size))
  const summary = {
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      cpus: (await import('node:os')).cpus().length,
    },
    rounds: env.BENCH_ROUNDS,
    searchMix: SEARCH_MIX,
    targets: { searchToLookupP50At10k: '<= 1.5', speedupVsNaiveAt10k: '>= 50', rcuPerWarmSearch: '<= 1' },
    results,
  }
  log(`\n${table(results)}\n`)
  log(JSON.stringify(summary, null, 2))
  await mkdir('bench/results', { recursive: true })
  await writeFile('bench/results/latest.json', `${JSON.stringify(summary, null, 2)}\n`)
  log('\nwritten to bench/results/latest.json')
} finally {
  await dynamodb.stop()
}
