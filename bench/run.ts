/**
 * `npm run bench`: what a catalogue search costs, side by side with a key lookup and a naive
 * Scan + FilterExpression, at several catalogue sizes, on an in-memory DynamoDB Local; and what a
 * cold start costs, from the published snapshot (s3rver) and by today's full load of the table,
 * measured in one run against the same table:
 *
 * - cold first search: a new Node process imports the public API function's bundle (built with
 *   infra/bundling.ts) and answers one search, its DynamoDB requests counted by a pass-through
 *   proxy (bench/dynamodb-request-counter.ts);
 * - the same load in this process, with the read capacity DynamoDB reports;
 * - the index build, one change applied to the index, one snapshot publish.
 *
 * Environment (parsed with zod): BENCH_SIZES (default 1000,10000,50000), BENCH_ROUNDS (timed
 * search/lookup pairs per size, default 600), BENCH_NAIVE_QUERIES (naive searches per size,
 * default 10; one from 50k instruments up, where each Scan takes over a minute on DynamoDB Local),
 * BENCH_COLD_STARTS (new processes per path and size, default 5).
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { z } from 'zod'
import { createApp } from '../functions/api/app'
import { BUNDLE_ENTRY_FILE, bundleEntry, ENTRIES } from '../infra/bundling'
import { bulkLoadLive } from '../scripts/lib/bulk-load'
import { startDynamoDbLocal } from '../scripts/lib/dynamodb-local'
import { ensureBucket, startS3Local } from '../scripts/lib/s3-local'
import { generateCatalogue, random } from '../scripts/lib/synthetic-catalogue'
import { depsForTable } from '../scripts/lib/table-deps'
import { InstrumentInput, type InstrumentRecord, isExpired } from '../shared/catalogue/instrument'
import { CatalogueIndex } from '../shared/catalogue/search/catalogue-index'
import { LiveCatalogue } from '../shared/catalogue/search/live-catalogue'
import { SearchQuery, searchQueryFromParams } from '../shared/catalogue/search/search-query'
import { publishSnapshot } from '../shared/catalogue/snapshot/publish-snapshot'
import { S3SnapshotStore } from '../shared/catalogue/snapshot/snapshot-store'
import { createDocumentClient, ensureTable, meterCapacity } from '../shared/platform/dynamodb'
import { silentLogger } from '../shared/platform/logger'
import { createS3Client } from '../shared/platform/s3'
import { systemClock } from '../shared/platform/time'
import { type RequestCounter, startRequestCounter } from './dynamodb-request-counter'
import { naiveScanSearch } from './naive-scan-search'

const BenchEnv = z.object({
  BENCH_SIZES: z
    .string()
    .default('1000,10000,50000')
    .transform((value) => value.split(',').map((size) => Number(size.trim())))
    .pipe(z.array(z.number().int().min(10).max(200_000)).min(1)),
  BENCH_ROUNDS: z.coerce.number().int().min(50).max(100_000).default(600),
  BENCH_NAIVE_QUERIES: z.coerce.number().int().min(1).max(100).default(10),
  BENCH_COLD_STARTS: z.coerce.number().int().min(1).max(50).default(5),
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

/** Requests sent through a client (every command, reads and writes), counted by the SDK. */
function countRequests(client: DynamoDBDocumentClient): { total(): number; reset(): void } {
  let total = 0
  client.middlewareStack.add(
    (next) => async (args) => {
      total += 1
      return next(args)
    },
    { step: 'initialize', name: 'countRequests' },
  )
  return {
    total: () => total,
    reset: () => {
      total = 0
    },
  }
}

const median = (samples: number[]) => percentile(samples, 50)

/** The deployed API bundle, built once, as `cdk synth` builds it. */
async function buildApiBundle(): Promise<{ file: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'fundfinder-bench-bundle-'))
  bundleEntry(ENTRIES.publicApi, dir)
  const file = join(dir, BUNDLE_ENTRY_FILE)
  return { file, dir }
}

const COLD_QUERY = 'features=T1,P12&sort=relevance'
const RESULT_MARKER = '@@cold-start@@'
/** Runs in a new process: import the bundle, answer one API Gateway v2 request, report timings. */
const COLD_RUNNER = `
const imported = performance.now()
const { handler } = await import(process.env.BUNDLE_URL)
const ready = performance.now()
const [rawPath, rawQueryString] = process.env.REQUEST.split('?')
const event = {
  version: '2.0', routeKey: '$default', rawPath, rawQueryString: rawQueryString ?? '',
  headers: { host: 'bench.execute-api.eu-west-1.amazonaws.com', accept: 'application/json' },
  requestContext: { accountId: '123456789012', apiId: 'bench', domainName: 'bench.execute-api.eu-west-1.amazonaws.com',
    domainPrefix: 'bench', http: { method: 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'bench' },
    requestId: 'bench', routeKey: '$default', stage: '$default', time: '01/Jan/2027:00:00:00 +0000', timeEpoch: 0 },
  isBase64Encoded: false,
}
const context = { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 29000 }
const result = await handler(event, context)
const answered = performance.now()
const body = JSON.parse(result.body)
process.stdout.write('${RESULT_MARKER}' + JSON.stringify({
  statusCode: result.statusCode, total: body.total ?? null,
  sinceProcessStartMs: answered, importMs: ready - imported, handlerMs: answered - ready,
  cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
}) + '\\n')
`

interface ColdStart {
  /** From spawning the process to the answer, as the parent sees it. */
  ms: number
  importMs: number
  handlerMs: number
  /** CPU the new process used until it answered: what contention on a shared machine does not inflate. */
  cpuMs: number
  dynamodbRequests: number
  requestsByOperation: Record<string, number>
  total: number | null
}

/** Spawns a new Node process that imports the bundle and answers one request. */
async function coldStart(
  bundle: { file: string; dir: string },
  env: Record<string, string>,
  counter: RequestCounter,
  request: string,
): Promise<ColdStart> {
  counter.reset()
  const started = performance.now()
  const child = spawn(process.execPath, ['--input-type=module', '--enable-source-maps', '-e', COLD_RUNNER], {
    cwd: bundle.dir,
    env: { PATH: process.env.PATH, BUNDLE_URL: pathToFileURL(bundle.file).href, REQUEST: request, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  let answeredAt = Number.NaN
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    if (Number.isNaN(answeredAt) && stdout.includes(RESULT_MARKER)) answeredAt = performance.now()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  const report = stdout.split(RESULT_MARKER)[1]
  if (code !== 0 || !report) throw new Error(`cold start failed (${code}): ${stderr.slice(-2000)}`)
  const parsed = JSON.parse(report) as Omit<ColdStart, 'ms' | 'dynamodbRequests' | 'requestsByOperation'> & {
    statusCode: number
  }
  if (parsed.statusCode !== 200) throw new Error(`cold start answered ${parsed.statusCode}`)
  return {
    ms: answeredAt - started,
    importMs: parsed.importMs,
    handlerMs: parsed.handlerMs,
    cpuMs: parsed.cpuMs,
    dynamodbRequests: counter.total(),
    requestsByOperation: counter.counts(),
    total: parsed.total,
  }
}

function summariseColdStarts(runs: ColdStart[]) {
  return {
    runs: runs.length,
    p50Ms: round(median(runs.map((run) => run.ms)), 0),
    minMs: round(Math.min(...runs.map((run) => run.ms)), 0),
    maxMs: round(Math.max(...runs.map((run) => run.ms)), 0),
    importP50Ms: round(median(runs.map((run) => run.importMs)), 0),
    handlerP50Ms: round(median(runs.map((run) => run.handlerMs)), 0),
    cpuP50Ms: round(median(runs.map((run) => run.cpuMs)), 0),
    dynamodbRequests: Math.max(...runs.map((run) => run.dynamodbRequests)),
    requestsByOperation: runs[0]?.requestsByOperation ?? {},
  }
}

interface Shared {
  dynamodbEndpoint: string
  s3Endpoint: string
  counter: RequestCounter
  bundle: { file: string; dir: string }
}

async function benchSize(shared: Shared, size: number) {
  const endpoint = shared.dynamodbEndpoint
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
  const requests = countRequests(client)
  // The app's real dependencies, on the metered client (no snapshot bucket: today's full load).
  const deps = depsForTable({ client, endpoint, tableName })
  const { store, catalogue } = deps
  const app = createApp(deps)

  const bucket = tableName.toLowerCase()
  const s3 = createS3Client({ region: 'eu-west-1', endpoint: shared.s3Endpoint })
  await ensureBucket(s3, bucket)
  const snapshots = new S3SnapshotStore(s3, bucket)
  log(`[${size}] publishing the catalogue snapshot...`)
  const [publishMs, published] = await timed(() =>
    publishSnapshot({ store, snapshots, clock: systemClock, logger: silentLogger }),
  )
  log(`[${size}]   ${round(publishMs, 0)} ms, ${round((published.bytes ?? 0) / 1024, 0)} KiB`)

  log(`[${size}] cold load of the search projection, in this process: full load, then snapshot...`)
  meter.reset()
  requests.reset()
  const [coldMs] = await timed(() => catalogue.current())
  const fullLoad = { ms: round(coldMs, 0), rcu: round(meter.read, 1), dynamodbRequests: requests.total() }
  meter.reset()
  requests.reset()
  const fromSnapshot = new LiveCatalogue(store, { snapshots })
  const [snapshotMs] = await timed(() => fromSnapshot.current())
  const snapshotLoad = {
    ms: round(snapshotMs, 0),
    rcu: round(meter.read, 1),
    dynamodbRequests: requests.total(),
  }
  log(`[${size}]   full load ${JSON.stringify(fullLoad)}; snapshot ${JSON.stringify(snapshotLoad)}`)

  log(`[${size}] index build and one change applied...`)
  const json = JSON.stringify(records)
  const buildMs: number[] = []
  let index: CatalogueIndex | undefined
  for (let attempt = 0; attempt < 5; attempt++) {
    // Fresh record objects each time, as a load from the table or a snapshot has them.
    const copies = JSON.parse(json) as InstrumentRecord[]
    const [ms, built] = await timed(async () => CatalogueIndex.build(copies))
    buildMs.push(ms)
    index = built
  }
  const changeMs: number[] = []
  for (let change = 0; change < 200 && index; change++) {
    const record = records[(change * 7919) % records.length] as InstrumentRecord
    const changed = {
      ...record,
      name: `${record.name} (revised ${change})`,
      description: `${record.description} revision${change}`,
      version: record.version + 1,
      updatedAt: new Date(now.getTime() + change).toISOString(),
    }
    const current: CatalogueIndex = index
    const [ms, next] = await timed(async () => current.withChanges([changed]))
    changeMs.push(ms)
    index = next
  }
  log(
    `[${size}]   build p50 ${round(median(buildMs), 0)} ms; one change p50 ${round(median(changeMs), 2)} ms, p99 ${round(percentile(changeMs, 99), 2)} ms`,
  )

  log(`[${size}] cold first search in new processes (${env.BENCH_COLD_STARTS} per path)...`)
  const bundleEnv = {
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: shared.counter.endpoint,
    AWS_REGION: 'eu-west-1',
    AUTH_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Bench',
    AUTH_AUDIENCE: 'bench-client',
    LOG_LEVEL: 'silent',
    CATALOGUE_MAX_STALENESS_MS: '1000',
  }
  const snapshotEnv = { ...bundleEnv, SNAPSHOT_BUCKET: bucket, S3_ENDPOINT: shared.s3Endpoint }
  const coldRequest = `/v1/instruments?${COLD_QUERY}`
  const health: ColdStart[] = []
  const coldSnapshot: ColdStart[] = []
  const coldFull: ColdStart[] = []
  // Snapshot runs first: the full loads push tens of MB through DynamoDB Local, which slows it for a while.
  for (let run = 0; run < env.BENCH_COLD_STARTS; run++) {
    coldSnapshot.push(await coldStart(shared.bundle, snapshotEnv, shared.counter, coldRequest))
    health.push(await coldStart(shared.bundle, bundleEnv, shared.counter, '/health'))
  }
  log(`[${size}]   snapshot: ${coldSnapshot.map((r) => round(r.ms, 0)).join(', ')} ms`)
  for (let run = 0; run < env.BENCH_COLD_STARTS; run++) {
    coldFull.push(await coldStart(shared.bundle, bundleEnv, shared.counter, coldRequest))
  }
  log(`[${size}]   full load: ${coldFull.map((r) => round(r.ms, 0)).join(', ')} ms`)
  if (coldSnapshot[0]?.total !== coldFull[0]?.total) throw new Error('the two paths answered differently')
  const coldFirstSearch = {
    query: COLD_QUERY,
    snapshot: summariseColdStarts(coldSnapshot),
    fullLoad: summariseColdStarts(coldFull),
    healthOnly: summariseColdStarts(health),
    speedupP50: round(median(coldFull.map((r) => r.ms)) / median(coldSnapshot.map((r) => r.ms)), 1),
  }

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

  // Frees DynamoDB Local for the next size (it keeps every table in one JVM heap).
  await client.send(new DeleteTableCommand({ TableName: tableName }))
  return {
    size,
    coldFirstSearch,
    coldLoadInProcess: { fullLoad, snapshot: snapshotLoad },
    indexBuild: {
      p50Ms: round(median(buildMs), 1),
      minMs: round(Math.min(...buildMs), 1),
      msPer10k: round((median(buildMs) * 10_000) / size, 1),
    },
    applyOneChange: { p50Ms: round(median(changeMs), 3), p99Ms: round(percentile(changeMs, 99), 3) },
    publishSnapshot: { ms: round(publishMs, 0), bytes: published.bytes, records: published.records },
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
    coldLoad: { ms: fullLoad.ms, rcu: fullLoad.rcu },
    refreshAfterOneWrite: { ms: round(refreshMs, 1), rcu: round(refreshRcu, 1) },
    stats: catalogue.stats(),
  }
}

function markdownTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows
    .map((row) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`)
    .join('\n')
}

function coldTable(results: Awaited<ReturnType<typeof benchSize>>[]): string {
  return markdownTable([
    [
      'size',
      'cold first search: snapshot p50 ms',
      'full load p50 ms',
      'x faster',
      'DynamoDB requests: snapshot / full',
      'snapshot path CPU ms',
      'process + import only (/health) ms',
      'in-process load ms (RCU): snapshot / full',
      'index build ms (per 10k)',
      'one change p50 / p99 ms',
      'publish ms (KiB)',
    ],
    ...results.map((r) => [
      String(r.size),
      String(r.coldFirstSearch.snapshot.p50Ms),
      String(r.coldFirstSearch.fullLoad.p50Ms),
      `${r.coldFirstSearch.speedupP50}x`,
      `${r.coldFirstSearch.snapshot.dynamodbRequests} / ${r.coldFirstSearch.fullLoad.dynamodbRequests}`,
      String(r.coldFirstSearch.snapshot.cpuP50Ms),
      String(r.coldFirstSearch.healthOnly.p50Ms),
      `${r.coldLoadInProcess.snapshot.ms} (${r.coldLoadInProcess.snapshot.rcu}) / ${r.coldLoadInProcess.fullLoad.ms} (${r.coldLoadInProcess.fullLoad.rcu})`,
      `${r.indexBuild.p50Ms} (${r.indexBuild.msPer10k})`,
      `${r.applyOneChange.p50Ms} / ${r.applyOneChange.p99Ms}`,
      `${r.publishSnapshot.ms} (${round((r.publishSnapshot.bytes ?? 0) / 1024, 0)})`,
    ]),
  ])
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
  return markdownTable(rows)
}

const dynamodb = await startDynamoDbLocal()
const s3Local = await startS3Local()
const counter = await startRequestCounter(dynamodb.endpoint)
log(
  `DynamoDB Local (in memory) at ${dynamodb.endpoint}, s3rver at ${s3Local.endpoint}; sizes ${env.BENCH_SIZES.join(', ')}`,
)
log('building the deployed API bundle...')
const bundle = await buildApiBundle()
try {
  const results = []
  const shared = { dynamodbEndpoint: dynamodb.endpoint, s3Endpoint: s3Local.endpoint, counter, bundle }
  for (const size of env.BENCH_SIZES) results.push(await benchSize(shared, size))
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
    coldStarts: env.BENCH_COLD_STARTS,
    targets: {
      searchToLookupP50At10k: '<= 1.5',
      speedupVsNaiveAt10k: '>= 50',
      rcuPerWarmSearch: '<= 1',
      coldFirstSearchAt10kMs: '<= 400',
      coldFirstSearchAt50kMs: '<= 1500, and >= 5x faster than the full load',
      dynamodbRequestsPerColdStart: '<= 5 at every size',
      indexBuildMsPer10k: '<= 100',
      applyOneChangeAt10kMs: '<= 5',
    },
    results,
  }
  log(`\n${coldTable(results)}\n`)
  log(`\n${table(results)}\n`)
  log(JSON.stringify(summary, null, 2))
  await mkdir('bench/results', { recursive: true })
  await writeFile('bench/results/latest.json', `${JSON.stringify(summary, null, 2)}\n`)
  log('\nwritten to bench/results/latest.json')
} finally {
  await counter.stop()
  await s3Local.stop()
  await dynamodb.stop()
  await rm(bundle.dir, { recursive: true, force: true })
}
