/**
 * `npm run bench:digests`: what a digest run costs, on an in-memory DynamoDB Local with a real SMTP
 * server in this process (every email goes over TCP and is received): wall time, emails per second,
 * and the capacity DynamoDB reports per due subscription, for a run that sends and for a repeated
 * run of the same period (which must claim nothing and send nothing).
 *
 * Environment (parsed with zod): BENCH_DIGEST_SUBSCRIPTIONS (default 1000), BENCH_DIGEST_CATALOGUE
 * (live instruments, default 2000), BENCH_DIGEST_NEW (instruments created after the subscriptions,
 * default 50), BENCH_DIGEST_CONCURRENCY (default 4). Results also go to bench/results/digests.json.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { z } from 'zod'
import { bulkLoadLive } from '../scripts/lib/bulk-load'
import { startDynamoDbLocal } from '../scripts/lib/dynamodb-local'
import { depsForTable } from '../scripts/lib/table-deps'
import { InstrumentInput, type InstrumentRecord } from '../shared/catalogue/instrument'
import type { DynamoInstrumentStore } from '../shared/catalogue/store'
import { FEATURE_CODES } from '../shared/catalogue/taxonomy'
import { createDocumentClient, ensureTable, meterCapacity } from '../shared/platform/dynamodb'
import { fixedClock } from '../shared/platform/time'
import { sendDigests } from '../shared/subscriptions/digest/send-digests'
import { addressHash } from '../shared/subscriptions/email-address'
import { subscriptionId } from '../shared/subscriptions/subscription'

const env = z
  .object({
    BENCH_DIGEST_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(100_000).default(1000),
    BENCH_DIGEST_CATALOGUE: z.coerce.number().int().min(1).max(100_000).default(2000),
    BENCH_DIGEST_NEW: z.coerce.number().int().min(1).max(5000).default(50),
    BENCH_DIGEST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  })
  .parse(process.env)

const SUBSCRIBED_AT = new Date('2026-11-22T10:00:00.000Z')
const RUN_AT = new Date('2026-11-23T06:00:00.000Z') // Monday 07:00 Brussels
const COUNTRIES = ['DK', 'SE', 'NO', 'FI', 'DE', 'BE']
const log = (message: string) => process.stdout.write(`${message}\n`)
const pick = <T>(items: readonly T[], seed: number) => items[seed % items.length] as T

function catalogueRecord(index: number): InstrumentRecord {
  const id = `bench${String(index).padStart(8, '0')}`
  return {
    id,
    name: `Benchmark call ${index}`,
    description: 'Grants for SMEs that build detection and response tools.',
    kind: 'call',
    origin: 'national',
    country: pick(COUNTRIES, index),
    url: `https://funding.example.org/${id}`,
    deadline: index % 10 === 0 ? '2026-11-27' : '2027-06-30',
    features: [pick(FEATURE_CODES, index), pick(FEATURE_CODES, index * 7 + 3)].filter(
      (code, position, all) => all.indexOf(code) === position,
    ),
    version: 1,
    createdAt: '2026-01-05T09:00:00.000Z',
    updatedAt: '2026-01-05T09:00:00.000Z',
    createdBy: 'bench',
    updatedBy: 'bench',
  }
}

async function main() {
  const dynamodb = await startDynamoDbLocal()
  let received = 0
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {})
      stream.on('end', () => {
        received += 1
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
  const smtpPort = (smtp.server.address() as AddressInfo).port
  try {
    const tableName = `bench-${randomUUID()}`
    const client = createDocumentClient({ region: 'eu-west-1', endpoint: dynamodb.endpoint })
    await ensureTable(client, tableName)
    const clock = fixedClock(SUBSCRIBED_AT)
    const deps = depsForTable(
      { client, endpoint: dynamodb.endpoint, tableName },
      { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, PUBLIC_BASE_URL: 'https://fundfinder.example' },
      { clock },
    )
    const store = deps.store as DynamoInstrumentStore

    log(
      `Catalogue: ${env.BENCH_DIGEST_CATALOGUE} live instruments, then ${env.BENCH_DIGEST_SUBSCRIPTIONS} confirmed subscriptions...`,
    )
    await bulkLoadLive(
      client,
      tableName,
      Array.from({ length: env.BENCH_DIGEST_CATALOGUE }, (_, i) => catalogueRecord(i)),
      {
        bumpCatalogueVersion: true,
      },
    )
    const watermark = await store.catalogueVersion()
    const nowSeconds = Math.floor(SUBSCRIBED_AT.getTime() / 1000)
    let next = 0
    const subscribe = async () => {
      while (next < env.BENCH_DIGEST_SUBSCRIPTIONS) {
        const index = next++
        const email = `subscriber${index}@example.org`
        const query = `features=${pick(FEATURE_CODES, index)},${pick(FEATURE_CODES, index * 5 + 1)}&country=${pick(COUNTRIES, index)}`
        const subject = { kind: 'search' as const, query }
        const id = subscriptionId(addressHash(email), subject)
        await deps.subscriptionStore.savePending(
          {
            id,
            email,
            addressHash: addressHash(email),
            subject,
            frequency: index % 5 === 0 ? 'weekly' : 'daily',
            state: 'pending',
            consentAt: SUBSCRIBED_AT.toISOString(),
            ttl: nowSeconds + 7 * 86_400,
          },
          `bench-${index}`,
        )
        await deps.subscriptionStore.confirm(id, {
          confirmedAt: SUBSCRIBED_AT.toISOString(),
          dueAt: RUN_AT.getTime(),
          watermark,
          known: [],
          nowSeconds,
        })
      }
    }
    await Promise.all(Array.from({ length: 8 }, subscribe))
    for (let i = 0; i < env.BENCH_DIGEST_NEW; i++) {
      const { id, version, createdAt, createdBy, updatedAt, updatedBy, ...input } = catalogueRecord(
        1_000_000 + i,
      )
      await store.create(InstrumentInput.parse(input), 'bench', SUBSCRIBED_AT)
    }

    const meter = meterCapacity(client)
    const measure = async (label: string) => {
      meter.reset()
      const sentBefore = received
      clock.set(RUN_AT)
      const run = await sendDigests(deps, { at: RUN_AT, concurrency: env.BENCH_DIGEST_CONCURRENCY })
      const perDue = (value: number) => (run.due > 0 ? Math.round((value / run.due) * 10) / 10 : 0)
      const result = {
        label,
        due: run.due,
        sent: run.sent,
        empty: run.empty,
        failed: run.failed,
        emailsReceived: received - sentBefore,
        durationMs: run.durationMs,
        emailsPerSecond: Math.round(((received - sentBefore) / run.durationMs) * 1000 * 10) / 10,
        rcu: Math.round(meter.read),
        wcu: Math.round(meter.write),
        rcuPerDue: perDue(meter.read),
        wcuPerDue: perDue(meter.write),
      }
      log(JSON.stringify(result))
      return result
    }
    const first = await measure('first run')
    const again = await measure('same period again')
    const results = { ...env, runs: [first, again] }
    await mkdir('bench/results', { recursive: true })
    await writeFile('bench/results/digests.json', `${JSON.stringify(results, null, 2)}\n`)
    deps.mailer.close()
  } finally {
    await new Promise<void>((resolve) => smtp.close(() => resolve()))
    await dynamodb.stop()
  }
}

await main()
