/**
 * `npm run bench:expiry`: what an expiry run costs, on an in-memory DynamoDB Local: wall time,
 * archive moves per second and the capacity DynamoDB reports, for several catalogue sizes and
 * job concurrencies. Shows that the read cost follows the number of expired instruments, not the
 * size of the catalogue, and how far concurrency helps moves that all bump one version item.
 *
 * Environment (parsed with zod): BENCH_EXPIRY_LIVE (live catalogue sizes, default 1000,20000),
 * BENCH_EXPIRY_EXPIRED (expired instruments per run, default 500), BENCH_EXPIRY_CONCURRENCY
 * (default 1,2,4,8). Results also go to bench/results/expiry.json.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { z } from 'zod'
import { bulkLoadLive } from '../scripts/lib/bulk-load'
import { startDynamoDbLocal } from '../scripts/lib/dynamodb-local'
import { depsForTable } from '../scripts/lib/table-deps'
import { expireInstruments } from '../shared/catalogue/expiry/expire-instruments'
import type { InstrumentRecord } from '../shared/catalogue/instrument'
import { createDocumentClient, ensureTable, meterCapacity } from '../shared/platform/dynamodb'
import { silentLogger } from '../shared/platform/logger'
import { fixedClock } from '../shared/platform/time'

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.split(',').map((item) => Number(item.trim())))
    .pipe(z.array(z.number().int().min(1).max(200_000)).min(1))

const env = z
  .object({
    BENCH_EXPIRY_LIVE: list('1000,20000'),
    BENCH_EXPIRY_EXPIRED: z.coerce.number().int().min(1).max(50_000).default(500),
    BENCH_EXPIRY_CONCURRENCY: list('1,2,4,8'),
  })
  .parse(process.env)

const NOW = new Date('2026-11-22T10:00:00.000Z')
const log = (message: string) => process.stdout.write(`${message}\n`)

let sequence = 0
function record(deadline: string | undefined): InstrumentRecord {
  sequence += 1
  const id = `bench${String(sequence).padStart(8, '0')}`
  return {
    id,
    name: `Benchmark call ${sequence}`,
    description: 'Grants for SMEs that build detection and response tools.',
    kind: 'call',
    origin: 'national',
    country: 'DK',
    url: `https://funding.example.org/${id}`,
    ...(deadline ? { deadline } : {}),
    features: ['T1', 'P3', 'P12'],
    version: 1,
    createdAt: '2026-01-05T09:00:00.000Z',
    updatedAt: '2026-01-05T09:00:00.000Z',
    createdBy: 'bench',
    updatedBy: 'bench',
  }
}

const dynamodb = await startDynamoDbLocal()
const rows: Record<string, number>[] = []
try {
  for (const live of env.BENCH_EXPIRY_LIVE) {
    const client = createDocumentClient({ region: 'eu-west-1', endpoint: dynamodb.endpoint })
    const tableName = `bench-expiry-${randomUUID()}`
    await ensureTable(client, tableName)
    const meter = meterCapacity(client)
    const { store } = depsForTable({ client, endpoint: dynamodb.endpoint, tableName })
    await bulkLoadLive(
      client,
      tableName,
      Array.from({ length: live }, (_, index) => record(index % 5 === 0 ? undefined : '2027-06-30')),
    )
    for (const concurrency of env.BENCH_EXPIRY_CONCURRENCY) {
      await bulkLoadLive(
        client,
        tableName,
        Array.from({ length: env.BENCH_EXPIRY_EXPIRED }, (_, index) =>
          record(`2026-11-${String(1 + (index % 21)).padStart(2, '0')}`),
        ),
      )
      meter.reset()
      const summary = await expireInstruments({
        store,
        clock: fixedClock(NOW),
        logger: silentLogger,
        concurrency,
      })
      if (summary.archived !== env.BENCH_EXPIRY_EXPIRED || summary.failed > 0) {
        throw new Error(`unexpected run: ${JSON.stringify(summary)}`)
      }
      const row = {
        live,
        expired: summary.archived,
        concurrency,
        durationMs: summary.durationMs,
        movesPerSecond: Math.round((summary.archived / summary.durationMs) * 1000),
        readCapacity: meter.read,
        writeCapacity: meter.write,
        rcuPerMove: Math.round((meter.read / summary.archived) * 100) / 100,
        wcuPerMove: Math.round((meter.write / summary.archived) * 100) / 100,
      }
      rows.push(row)
      log(
        `live ${String(live).padStart(6)} | expired ${row.expired} | concurrency ${concurrency} | ` +
          `${row.durationMs} ms | ${row.movesPerSecond} moves/s | RCU ${row.readCapacity} (${row.rcuPerMove}/move) | ` +
          `WCU ${row.writeCapacity} (${row.wcuPerMove}/move)`,
      )
    }
  }
  await mkdir('bench/results', { recursive: true })
  await writeFile(
    'bench/results/expiry.json',
    `${JSON.stringify({ at: new Date().toISOString(), rows }, null, 2)}\n`,
  )
  log(
    'Written to bench/results/expiry.json (DynamoDB Local: timings are indicative, capacity is as reported).',
  )
} finally {
  await dynamodb.stop()
}
