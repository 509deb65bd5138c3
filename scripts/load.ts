/**
 * `npm run load`: the local server on DynamoDB Local with a 10,000-instrument catalogue under a
 * mixed workload (90% searches of varied shapes, 10% detail views, an admin write every second) at
 * 50 connections for 60 s, driven by autocannon from this process while the server runs in a child
 * process. Reports requests per second, latency percentiles, errors and the server's memory.
 *
 * Environment: LOAD_DURATION_SECONDS (60), LOAD_CONNECTIONS (50), LOAD_CATALOGUE_SIZE (10000),
 * LOAD_WRITE_INTERVAL_MS (1000; 0 = no admin writes).
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import autocannon from 'autocannon'
import { z } from 'zod'
import { isExpired } from '../shared/catalogue/instrument'
import { parseConfig } from '../shared/platform/config'
import { createDocumentClient, ensureTable } from '../shared/platform/dynamodb'
import { withoutServerFields } from '../shared/platform/server-owned'
import { bulkLoadLive } from './lib/bulk-load'
import { signDevToken } from './lib/dev-issuer'
import { freePort, startDynamoDbLocal } from './lib/dynamodb-local'
import { generateCatalogue } from './lib/synthetic-catalogue'

const env = z
  .object({
    LOAD_DURATION_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
    LOAD_CONNECTIONS: z.coerce.number().int().min(1).max(1000).default(50),
    LOAD_CATALOGUE_SIZE: z.coerce.number().int().min(100).max(100_000).default(10_000),
    LOAD_WRITE_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  })
  .parse(process.env)

const SEARCHES = [
  'features=T1,P12',
  'features=P12,P3,T9&match=all',
  'q=cyber',
  'q=innovation',
  'origin=national&country=DK,NO,SE&kind=call&sort=deadline',
  'closingWithin=30&sort=deadline',
  'budgetMin=100000&budgetMax=500000&sort=name',
  'features=T13,T14&sort=updated&page=5&limit=50',
  'sort=name&page=20&limit=100',
  'features=G1,G13,G14&q=export',
  'q=drones&features=P4&origin=regional',
  'kind=programme&features=D2,D3,G4&page=3',
]

const log = (message: string) => process.stdout.write(`${message}\n`)
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

const dynamodb = await startDynamoDbLocal()
const work = await mkdtemp(join(tmpdir(), 'fundfinder-load-'))
const keyFile = join(work, 'dev-issuer-key.json')
const tableName = 'load'
const port = await freePort()
const config = parseConfig({
  TABLE_NAME: tableName,
  DYNAMODB_ENDPOINT: dynamodb.endpoint,
  DEV_ISSUER_KEY_FILE: keyFile,
  PORT: String(port),
})
let server: ReturnType<typeof spawn> | undefined
try {
  const client = createDocumentClient({ region: config.region, endpoint: dynamodb.endpoint })
  await ensureTable(client, tableName)
  const now = new Date()
  const records = generateCatalogue(env.LOAD_CATALOGUE_SIZE, now)
  log(`Loading ${records.length} synthetic instruments...`)
  await bulkLoadLive(client, tableName, records, { bumpCatalogueVersion: true })
  // Detail views and writes target instruments that stay open during the run.
  const stable = records.filter((record) => !isExpired(record, new Date(now.getTime() + 86_400_000)))
  const ids = stable.map((record) => record.id)

  server = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'scripts/lib/load-server.ts'], {
    env: {
      ...process.env,
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamodb.endpoint,
      DEV_ISSUER_KEY_FILE: keyFile,
      PORT: String(port),
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const memory: { rss: number; heapUsed: number; at: number; afterGc: boolean }[] = []
  const liveHeap = async () => {
    const seen = memory.length
    server?.kill('SIGUSR2')
    while (!memory.slice(seen).some((sample) => sample.afterGc)) await new Promise((r) => setTimeout(r, 50))
    return memory.slice(seen).find((sample) => sample.afterGc) as (typeof memory)[number]
  }
  const ready = new Promise<void>((resolve, reject) => {
    server?.once('exit', (code) => reject(new Error(`server exited (${code})`)))
    createInterface({ input: server?.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const message = JSON.parse(line) as { ready?: boolean; memory?: (typeof memory)[number] }
      if (message.ready) resolve()
      if (message.memory) memory.push(message.memory)
    })
  })
  await ready
  const base = `http://127.0.0.1:${port}`
  log('Warming up (first search loads the catalogue)...')
  await fetch(`${base}/v1/instruments?q=cyber`).then((response) => response.text())
  const startMemory = await liveHeap()

  const token = await signDevToken({
    keyFile,
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    roles: ['admin'],
    subject: 'load-admin',
    ttlSeconds: 3600,
  })
  const writes = { ok: 0, failed: 0 }
  let writeNumber = 0
  const writer = setInterval(async () => {
    if (env.LOAD_WRITE_INTERVAL_MS === 0) return
    const id = ids[writeNumber++ % ids.length] as string
    try {
      const current = await fetch(`${base}/v1/instruments/${id}`)
      const body = (await current.json()) as Record<string, unknown>
      const input = withoutServerFields(body, ['status'])
      const saved = await fetch(`${base}/v1/instruments/${id}`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'if-match': current.headers.get('etag') ?? '',
        },
        body: JSON.stringify({
          ...input,
          description: `${String(input.description).slice(0, 4000)} (edit ${writeNumber})`,
        }),
      })
      await saved.text()
      if (saved.ok) writes.ok += 1
      else writes.failed += 1
    } catch {
      writes.failed += 1
    }
  }, env.LOAD_WRITE_INTERVAL_MS || 60_000)

  log(`Running ${env.LOAD_DURATION_SECONDS} s at ${env.LOAD_CONNECTIONS} connections...`)
  let counter = 0
  const result = await autocannon({
    url: base,
    connections: env.LOAD_CONNECTIONS,
    duration: env.LOAD_DURATION_SECONDS,
    requests: [
      {
        setupRequest: (request) => {
          counter += 1
          const path =
            counter % 10 === 0
              ? `/v1/instruments/${ids[counter % ids.length]}`
              : `/v1/instruments?${SEARCHES[counter % SEARCHES.length]}`
          return { ...request, method: 'GET', path }
        },
      },
    ],
  })
  clearInterval(writer)
  const endMemory = await liveHeap()
  const during = memory.filter((sample) => !sample.afterGc && sample.at >= startMemory.at)
  const firstHalf = during.slice(0, Math.floor(during.length / 2))
  const secondHalf = during.slice(Math.floor(during.length / 2))
  const average = (samples: typeof memory) =>
    samples.reduce((sum, s) => sum + s.heapUsed, 0) / (samples.length || 1)

  const summary = {
    date: new Date().toISOString(),
    machine: `${process.platform} ${process.arch}, Node ${process.version}`,
    catalogueSize: records.length,
    connections: env.LOAD_CONNECTIONS,
    durationSeconds: result.duration,
    requests: result.requests.total,
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: {
      p50: result.latency.p50,
      p97_5: result.latency.p97_5,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]),
    ),
    adminWrites: writes,
    serverMemoryMb: {
      rssStart: mb(startMemory.rss),
      rssEnd: mb(endMemory.rss),
      heapStart: mb(startMemory.heapUsed),
      heapEnd: mb(endMemory.heapUsed),
      heapFirstHalfAvg: mb(average(firstHalf)),
      heapSecondHalfAvg: mb(average(secondHalf)),
    },
  }
  log('')
  log('| metric | value |')
  log('| --- | --- |')
  log(`| requests/s | ${summary.requestsPerSecond} (${summary.requests} in ${summary.durationSeconds} s) |`)
  log(
    `| latency p50 / p97.5 / p99 | ${result.latency.p50} / ${result.latency.p97_5} / ${result.latency.p99} ms |`,
  )
  log(`| errors / timeouts / non-2xx | ${result.errors} / ${result.timeouts} / ${result.non2xx} |`)
  log(`| admin writes ok / failed | ${writes.ok} / ${writes.failed} |`)
  log(
    `| server live heap after GC, start -> end | ${summary.serverMemoryMb.heapStart} -> ${summary.serverMemoryMb.heapEnd} MB (heap in use, halves avg ${summary.serverMemoryMb.heapFirstHalfAvg} / ${summary.serverMemoryMb.heapSecondHalfAvg}) |`,
  )
  log(
    `| server RSS start -> end | ${summary.serverMemoryMb.rssStart} -> ${summary.serverMemoryMb.rssEnd} MB |`,
  )
  log('')
  log(JSON.stringify(summary, null, 2))
  await mkdir('bench/results', { recursive: true })
  await writeFile('bench/results/load-latest.json', `${JSON.stringify(summary, null, 2)}\n`)
  if (result.errors > 0 || result.non2xx > 0 || writes.failed > 0) process.exitCode = 1
} finally {
  server?.kill('SIGTERM')
  await dynamodb.stop()
}
