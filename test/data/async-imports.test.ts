import { setTimeout as sleep } from 'node:timers/promises'
import { PutCommand } from '@aws-sdk/lib-dynamodb'
import type { SQSEvent } from 'aws-lambda'
import { describe, expect, it } from 'vitest'
import { createImportWorker } from '../../functions/import-instruments/handler'
import type { ImportQueue } from '../../shared/catalogue/imports/import-jobs'
import { runImportJob } from '../../shared/catalogue/imports/run-import-job'
import {
  type ChangeOutcome,
  DynamoInstrumentStore,
  type InstrumentChange,
} from '../../shared/catalogue/store'
import { keys } from '../../shared/platform/table'
import { createTestContext, type TestContext } from '../support/context'
import { csvFile, importCsv, ROW_HEADER, row } from './support'

const ASYNC = { prefer: 'respond-async' }
const LEASE_MS = 300_000

/** `count` valid rows; every third has no externalId (matched on a re-run only by the job's own ids). */
function rows(count: number, prefix = 'job') {
  return Array.from({ length: count }, (_, index) =>
    row({
      externalId: index % 3 === 2 ? '' : `${prefix}-${index}`,
      name: `${prefix} call ${index}`,
    }),
  )
}

/** Polls the job's URL, as a client would, until it has ended. */
async function pollUntilFinished(t: TestContext, location: string) {
  const deadline = Date.now() + 120_000
  for (;;) {
    const answer = await t.call('GET', location, { role: 'admin' })
    expect(answer.status, JSON.stringify(answer.json)).toBe(200)
    if (answer.json.state === 'succeeded' || answer.json.state === 'failed') return answer
    expect(answer.headers.get('retry-after')).toBe('2')
    if (Date.now() > deadline) throw new Error(`job still ${answer.json.state}`)
    await sleep(25)
  }
}

/** A queue that keeps jobs queued: the test runs them itself, with whatever store it likes. */
const heldQueue = (): ImportQueue & { queued: string[] } => {
  const queued: string[] = []
  return { queued, enqueue: async (jobId) => void queued.push(jobId) }
}

/**
 * The real store, except that its `crashAt`-th batch write commits only half of its changes and
 * then throws: a worker killed in the middle of a part, after some of its instruments were written.
 */
class CrashingStore extends DynamoInstrumentStore {
  private writes = 0

  constructor(
    t: TestContext,
    private readonly crashAt: number,
  ) {
    super(t.client, t.tableName)
  }

  override async writeMany(
    changes: readonly InstrumentChange[],
    actor: string,
    now: Date,
  ): Promise<ChangeOutcome[]> {
    this.writes += 1
    if (this.writes < this.crashAt) return super.writeMany(changes, actor, now)
    await super.writeMany(changes.slice(0, Math.ceil(changes.length / 2)), actor, now)
    throw new Error('worker killed')
  }
}

describe('asynchronous imports (Prefer: respond-async)', () => {
  it('202 with Location and Preference-Applied, then polling shows it succeed, failed rows listed', async () => {
    const t = await createTestContext()
    const file = csvFile(ROW_HEADER, [...rows(30), row({ externalId: 'bad-1', kind: 'grant' })])

    const submitted = await importCsv(t, file, '', ASYNC)
    expect(submitted.status).toBe(202)
    expect(submitted.headers.get('location')).toBe(`/v1/admin/imports/${submitted.json.id}`)
    expect(submitted.headers.get('preference-applied')).toBe('respond-async')
    expect(submitted.json).toMatchObject({ state: 'queued', total: 31, processed: 0, layout: 'rows' })

    const done = await pollUntilFinished(t, submitted.headers.get('location') as string)
    expect(done.json).toMatchObject({
      state: 'succeeded',
      total: 31,
      processed: 31,
      summary: { created: 30, updated: 0, unchanged: 0, failed: 1 },
      attempts: 1,
    })
    expect(done.headers.get('retry-after')).toBeNull()
    expect(done.json.failures).toEqual([
      expect.objectContaining({
        row: 32,
        externalId: 'bad-1',
        outcome: 'failed',
        errors: [expect.objectContaining({ path: 'kind' })],
      }),
    ])
    expect((await t.store.loadCatalogue()).records).toHaveLength(30)
    expect(done.json.catalogueVersion).toBe(await t.store.catalogueVersion())

    // The same file again, as a new job: rows with an externalId are found and left as they are;
    // rows without one (every third) are new instruments again, as in a synchronous import.
    const again = await importCsv(t, file, '', ASYNC)
    const repeated = await pollUntilFinished(t, again.headers.get('location') as string)
    expect(repeated.json.summary).toEqual({ created: 10, updated: 0, unchanged: 20, failed: 1 })
    expect((await t.store.loadCatalogue()).records).toHaveLength(40)
  })

  it('a dry run in the background reports and writes nothing', async () => {
    const t = await createTestContext()
    const submitted = await importCsv(t, csvFile(ROW_HEADER, rows(12)), 'dryRun=true', ASYNC)
    expect(submitted.status).toBe(202)
    const done = await pollUntilFinished(t, submitted.headers.get('location') as string)
    expect(done.json).toMatchObject({ state: 'succeeded', dryRun: true, summary: { created: 12 } })
    expect(await t.store.catalogueVersion()).toBe(0)
  })

  it('a worker killed mid-part: the next run resumes there, and nothing is created twice', async () => {
    const queue = heldQueue()
    const t = await createTestContext({ deps: { importQueue: queue } })
    const submitted = await importCsv(t, csvFile(ROW_HEADER, rows(40, 'crash')), '', ASYNC)
    expect(submitted.status).toBe(202)
    const jobId = submitted.json.id as string
    expect(queue.queued).toEqual([jobId])

    // Parts of 10 records: the second part's write dies after committing half of it.
    const crashing = { ...t.deps, store: new CrashingStore(t, 2) }
    await expect(runImportJob(crashing, jobId, { leaseMs: LEASE_MS, partRecords: 10 })).rejects.toThrow(
      'worker killed',
    )
    const interrupted = await t.call('GET', `/v1/admin/imports/${jobId}`, { role: 'admin' })
    expect(interrupted.json).toMatchObject({ state: 'running', processed: 10, attempts: 1 })
    const written = (await t.store.loadCatalogue()).records.length
    expect(written).toBeGreaterThan(10)
    expect(written).toBeLessThan(20)

    // The killed run still holds the job until its lease expires; then the next run takes over.
    expect(await runImportJob(t.deps, jobId, { leaseMs: LEASE_MS, partRecords: 10 })).toBe('busy')
    t.clock.advance(LEASE_MS + 1)
    expect(await runImportJob(t.deps, jobId, { leaseMs: LEASE_MS, partRecords: 10 })).toBe('succeeded')

    const done = await t.call('GET', `/v1/admin/imports/${jobId}`, { role: 'admin' })
    expect(done.json).toMatchObject({ state: 'succeeded', processed: 40, attempts: 2 })
    expect(done.json.summary.failed).toBe(0)
    // What the killed run wrote is found again and counted unchanged.
    expect(done.json.summary.created + done.json.summary.unchanged).toBe(40)
    expect(done.json.summary.unchanged).toBe(written - 10)
    const { records } = await t.store.loadCatalogue()
    expect(records).toHaveLength(40)
    expect(new Set(records.map((record) => record.name)).size).toBe(40)
    // A finished job is not run again.
    expect(await runImportJob(t.deps, jobId, { leaseMs: LEASE_MS })).toBe('finished')
  })

  it('finds a duplicate externalId across parts, as a synchronous import does', async () => {
    const queue = heldQueue()
    const t = await createTestContext({ deps: { importQueue: queue } })
    const file = csvFile(ROW_HEADER, [...rows(20, 'dup'), row({ externalId: 'dup-0', name: 'Again' })])
    const submitted = await importCsv(t, file, '', ASYNC)
    expect(await runImportJob(t.deps, submitted.json.id, { leaseMs: LEASE_MS, partRecords: 5 })).toBe(
      'succeeded',
    )
    const done = await t.call('GET', submitted.headers.get('location') as string, { role: 'admin' })
    expect(done.json.summary).toEqual({ created: 20, updated: 0, unchanged: 0, failed: 1 })
    expect(done.json.failures[0]).toMatchObject({ row: 22, errors: [{ path: 'externalId' }] })
    expect(done.json.failures[0].errors[0].message).toMatch(/duplicates row 2/)
  })

  it('fails with the reason when its stored file is damaged', async () => {
    const queue = heldQueue()
    const t = await createTestContext({ deps: { importQueue: queue } })
    const submitted = await importCsv(t, csvFile(ROW_HEADER, rows(5)), '', ASYNC)
    const jobId = submitted.json.id as string
    await t.client.send(
      new PutCommand({
        TableName: t.tableName,
        Item: { ...keys.importFileChunk(jobId, 0), data: new Uint8Array([1, 2, 3]) },
      }),
    )
    expect(await runImportJob(t.deps, jobId, { leaseMs: LEASE_MS })).toBe('failed')
    const failed = await t.call('GET', `/v1/admin/imports/${jobId}`, { role: 'admin' })
    expect(failed.json).toMatchObject({
      state: 'failed',
      processed: 0,
      problem: { title: 'Import file unavailable', detail: expect.stringMatching(/missing or damaged/) },
    })
    expect(failed.json.finishedAt).toBeDefined()
    expect(await t.store.catalogueVersion()).toBe(0)
  })

  it('is given up as failed, with the reason, when every run fails (locally: IMPORT_MAX_ATTEMPTS runs)', async () => {
    class BrokenStore extends DynamoInstrumentStore {
      override async writeMany(): Promise<ChangeOutcome[]> {
        throw new Error('DynamoDB is down')
      }
    }
    const base = await createTestContext()
    const t = await createTestContext({
      env: { TABLE_NAME: base.tableName, IMPORT_MAX_ATTEMPTS: '2' },
      deps: { client: base.client, store: new BrokenStore(base.client, base.tableName) },
    })
    const submitted = await importCsv(t, csvFile(ROW_HEADER, rows(3)), '', ASYNC)
    const done = await pollUntilFinished(t, submitted.headers.get('location') as string)
    expect(done.json).toMatchObject({ state: 'failed', attempts: 2 })
    expect(done.json.problem.detail).toMatch(/stopped after 2 attempts \(Error: DynamoDB is down\)/)
    expect(done.json.problem.detail).toMatch(/import the file again/)
  })

  it('a file that cannot be read is refused at once (400), and no job is made', async () => {
    const queue = heldQueue()
    const t = await createTestContext({ deps: { importQueue: queue } })
    const answer = await importCsv(t, 'externalId,colour\nx,red\n', '', ASYNC)
    expect(answer.status).toBe(400)
    expect(answer.headers.get('content-type')).toBe('application/problem+json')
    expect(queue.queued).toEqual([])
  })

  it('404 for an unknown job, 400 for a malformed id, and only admins see or start jobs', async () => {
    const t = await createTestContext()
    const unknown = await t.call('GET', '/v1/admin/imports/01jd3x9q4v6n7p8r9s0t1u2v3w', { role: 'admin' })
    expect(unknown.status).toBe(404)
    expect(unknown.json.type).toBe('https://fundfinder.dev/problems/not-found')
    expect((await t.call('GET', '/v1/admin/imports/NOT-AN-ID', { role: 'admin' })).status).toBe(400)

    const asEditor = await t.call('POST', '/v1/admin/imports', {
      role: 'editor',
      body: csvFile(ROW_HEADER, rows(2)),
      headers: { 'content-type': 'text/csv', ...ASYNC },
    })
    expect(asEditor.status).toBe(403)
    const submitted = await importCsv(t, csvFile(ROW_HEADER, rows(2)), '', ASYNC)
    const location = submitted.headers.get('location') as string
    expect((await t.call('GET', location, { role: 'editor' })).status).toBe(403)
    expect((await t.call('GET', location)).status).toBe(401)
    await pollUntilFinished(t, location)
  })
})

describe('the synchronous bound (SYNC_IMPORT_MAX_ROWS, 5 here)', () => {
  const env = { SYNC_IMPORT_MAX_ROWS: '5' }

  it('beyond it a synchronous import is a 413 that names the asynchronous way, and writes nothing', async () => {
    const t = await createTestContext({ env })
    const answer = await importCsv(t, csvFile(ROW_HEADER, rows(6)))
    expect(answer.status).toBe(413)
    expect(answer.json.type).toBe('https://fundfinder.dev/problems/payload-too-large')
    expect(answer.json.detail).toMatch(/at most 5 records/)
    expect(answer.json.detail).toMatch(/Prefer: respond-async/)
    expect(await t.store.catalogueVersion()).toBe(0)

    expect((await importCsv(t, csvFile(ROW_HEADER, rows(5)))).status).toBe(200)
    expect((await importCsv(t, csvFile(ROW_HEADER, rows(6)), 'dryRun=true')).status).toBe(200)
  })

  it('an atomic import stays synchronous: Prefer is not applied, and past the bound it is a 413', async () => {
    const t = await createTestContext({ env })
    const small = await importCsv(t, csvFile(ROW_HEADER, rows(3)), 'atomic=true', ASYNC)
    expect(small.status).toBe(200)
    expect(small.headers.get('preference-applied')).toBeNull()
    expect(small.json).toMatchObject({ atomic: true, created: 3 })

    const large = await importCsv(t, csvFile(ROW_HEADER, rows(6, 'big')), 'atomic=true', ASYNC)
    expect(large.status).toBe(413)
    expect(large.json.detail).toMatch(/an atomic import takes at most 5 records/)
    expect(await t.store.catalogueVersion()).toBe(3)
  })
})

describe('the import worker (functions/import-instruments, an SQS message per run)', () => {
  const message = (jobId: string, receives: number): SQSEvent =>
    ({
      Records: [
        {
          messageId: `m-${receives}`,
          body: JSON.stringify({ jobId }),
          attributes: { ApproximateReceiveCount: String(receives) },
        },
      ],
    }) as unknown as SQSEvent

  it('stops after a part when its time runs short, and queues the rest of the job', async () => {
    const queue = heldQueue()
    const t = await createTestContext({ deps: { importQueue: queue } })
    const submitted = await importCsv(t, csvFile(ROW_HEADER, rows(260, 'long')), '', ASYNC)
    const jobId = submitted.json.id as string
    const worker = createImportWorker(() => t.deps)

    const short = await worker(message(jobId, 1), { getRemainingTimeInMillis: () => 30_000 })
    expect(short).toEqual({ batchItemFailures: [] })
    expect(queue.queued).toEqual([jobId, jobId])
    const halfway = await t.call('GET', `/v1/admin/imports/${jobId}`, { role: 'admin' })
    expect(halfway.json).toMatchObject({ state: 'running', processed: 250 })

    // The next message's run takes over at once: the first released the job.
    await worker(message(jobId, 1), { getRemainingTimeInMillis: () => 300_000 })
    const done = await t.call('GET', `/v1/admin/imports/${jobId}`, { role: 'admin' })
    expect(done.json).toMatchObject({ state: 'succeeded', processed: 260, attempts: 2 })
    expect(done.json.summary.created).toBe(260)
  })

  it('reports a failed run for redelivery, and on the last delivery marks the job failed with why', async () => {
    class BrokenStore extends DynamoInstrumentStore {
      override async writeMany(): Promise<ChangeOutcome[]> {
        throw new Error('DynamoDB is down')
      }
    }
    const queue = heldQueue()
    const base = await createTestContext()
    const t = await createTestContext({
      env: { TABLE_NAME: base.tableName },
      deps: { client: base.client, importQueue: queue, store: new BrokenStore(base.client, base.tableName) },
    })
    const submitted = await importCsv(t, csvFile(ROW_HEADER, rows(3)), '', ASYNC)
    const jobId = submitted.json.id as string
    const worker = createImportWorker(() => t.deps)
    const context = { getRemainingTimeInMillis: () => 300_000 }

    expect(await worker(message(jobId, 1), context)).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-1' }],
    })
    expect((await t.call('GET', `/v1/admin/imports/${jobId}`, { role: 'admin' })).json.state).toBe('running')

    const last = t.config.imports.maxAttempts
    expect(await worker(message(jobId, last), context)).toEqual({
      batchItemFailures: [{ itemIdentifier: `m-${last}` }],
    })
    const failed = await t.call('GET', `/v1/admin/imports/${jobId}`, { role: 'admin' })
    expect(failed.json).toMatchObject({ state: 'failed', attempts: 2 })
    expect(failed.json.problem.detail).toMatch(
      new RegExp(`after ${last} attempts \\(Error: DynamoDB is down\\)`),
    )
  })
})
