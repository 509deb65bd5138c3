import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import { type Item, isTransactionConditionFailure, queryAll } from '../../platform/dynamodb'
import { IMPORT_FAILURES_PREFIX, IMPORT_FILE_PREFIX, importPartition, keys } from '../../platform/table'
import {
  type ClaimResult,
  type ImportJob,
  type ImportJobPart,
  type ImportJobProblem,
  type ImportJobStore,
  ImportJobSuperseded,
  type ImportJobView,
  isFinished,
} from './import-jobs'
import type { RecordResult } from './import-report'

/** zlib loads with the first job, not on the API's cold start. */
async function gzipAsync(data: Uint8Array | string): Promise<Buffer> {
  const { gzip } = await import('node:zlib')
  return new Promise((resolve, reject) =>
    gzip(data, (error, result) => (error ? reject(error) : resolve(result))),
  )
}
async function gunzipAsync(data: Uint8Array): Promise<Buffer> {
  const { gunzip } = await import('node:zlib')
  return new Promise((resolve, reject) =>
    gunzip(data, (error, result) => (error ? reject(error) : resolve(result))),
  )
}

/**
 * A stored file is gzipped and cut into chunks well under DynamoDB's 400 KB item limit. A 5 MiB
 * CSV is about 0.5 MB gzipped (two chunks); even an incompressible one is 16 chunks.
 */
export const FILE_CHUNK_BYTES = 350_000

/** Attributes of the job item that are the job's (the rest are keys, the lease and the TTL). */
const JOB_ATTRIBUTES: Record<keyof ImportJob, true> = {
  id: true,
  state: true,
  dryRun: true,
  layout: true,
  mediaType: true,
  total: true,
  processed: true,
  summary: true,
  createdBy: true,
  createdAt: true,
  updatedAt: true,
  startedAt: true,
  finishedAt: true,
  attempts: true,
  catalogueVersion: true,
  problem: true,
}

function toJob(item: Item): ImportJob {
  const job: Record<string, unknown> = {}
  for (const name of Object.keys(JOB_ATTRIBUTES)) if (item[name] !== undefined) job[name] = item[name]
  return job as unknown as ImportJob
}

/**
 * Import jobs in the one table, one partition per job (see ../../platform/table.ts): the job item,
 * its file in chunks and its failed records per part, all removed by TTL `retentionDays` after the
 * job was created. The file is stored in the table rather than in S3 because it is small (at most
 * MAX_IMPORT_BYTES, and compressed), it lives as long as the job, and the job and its file then need
 * no second store, grant or local emulator.
 */
export class DynamoImportJobStore implements ImportJobStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
  ) {}

  private ttlFor(createdAt: string): number {
    return Math.floor(Date.parse(createdAt) / 1000) + this.retentionDays * 86_400
  }

  async create(job: ImportJob, file: Uint8Array): Promise<void> {
    const ttl = this.ttlFor(job.createdAt)
    const packed = new Uint8Array(await gzipAsync(file))
    const chunks: Item[] = []
    for (
      let offset = 0, index = 0;
      offset < packed.length || index === 0;
      offset += FILE_CHUNK_BYTES, index++
    ) {
      chunks.push({
        ...keys.importFileChunk(job.id, index),
        data: packed.subarray(offset, offset + FILE_CHUNK_BYTES),
        ttl,
      })
    }
    // One PutItem per chunk (rarely more than one or two): the API's role then needs no BatchWriteItem.
    await Promise.all(
      chunks.map((Item) => this.client.send(new PutCommand({ TableName: this.tableName, Item }))),
    )
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keys.importJob(job.id), ...job, fileChunks: chunks.length, ttl },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    )
  }

  private async getItem(id: string): Promise<Item | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.importJob(id), ConsistentRead: true }),
    )
    return Item
  }

  private async itemsWithPrefix(id: string, prefix: string): Promise<Item[]> {
    return queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': importPartition(id), ':prefix': prefix },
      ConsistentRead: true,
    })
  }

  async get(id: string): Promise<ImportJobView | undefined> {
    const item = await this.getItem(id)
    if (!item) return undefined
    const parts = await this.itemsWithPrefix(id, IMPORT_FAILURES_PREFIX)
    const failures: RecordResult[] = []
    for (const part of parts) {
      failures.push(
        ...(JSON.parse((await gunzipAsync(part.data as Uint8Array)).toString('utf8')) as RecordResult[]),
      )
    }
    return { ...toJob(item), failures }
  }

  async readFile(id: string): Promise<Uint8Array | undefined> {
    const item = await this.getItem(id)
    if (!item) return undefined
    const chunks = await this.itemsWithPrefix(id, IMPORT_FILE_PREFIX)
    // Sort keys are zero-padded, so the Query returns the chunks in order; a gap is a damaged file.
    const complete =
      chunks.length === item.fileChunks &&
      chunks.every((chunk, index) => chunk.sk === keys.importFileChunk(id, index).sk)
    if (!complete) return undefined
    try {
      return new Uint8Array(await gunzipAsync(Buffer.concat(chunks.map((chunk) => chunk.data as Uint8Array))))
    } catch {
      return undefined
    }
  }

  async claim(id: string, now: Date, leaseMs: number): Promise<ClaimResult> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.importJob(id),
          UpdateExpression:
            'SET #state = :running, attempts = attempts + :one, startedAt = if_not_exists(startedAt, :now), updatedAt = :now, leaseUntil = :until',
          ConditionExpression:
            'attribute_exists(pk) AND #state IN (:queued, :running) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :nowMs)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':running': 'running',
            ':queued': 'queued',
            ':one': 1,
            ':now': now.toISOString(),
            ':nowMs': now.getTime(),
            ':until': now.getTime() + leaseMs,
          },
          ReturnValues: 'ALL_NEW',
        }),
      )
      return { status: 'claimed', job: toJob(Attributes as Item) }
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error
    }
    const item = await this.getItem(id)
    if (!item) return { status: 'missing' }
    return isFinished(item.state as ImportJob['state']) ? { status: 'finished' } : { status: 'busy' }
  }

  async checkpoint(id: string, part: ImportJobPart, now: Date, leaseMs: number): Promise<void> {
    const job = keys.importJob(id)
    const update = {
      Update: {
        TableName: this.tableName,
        Key: job,
        UpdateExpression:
          'SET #processed = :to, #summary.#created = #summary.#created + :created, #summary.#updated = #summary.#updated + :updated, #summary.#unchanged = #summary.#unchanged + :unchanged, #summary.#failed = #summary.#failed + :failed, updatedAt = :now, leaseUntil = :until',
        ConditionExpression: '#state = :running AND #processed = :from',
        // Every name through a placeholder: `processed` is one of DynamoDB's reserved words, and others may be.
        ExpressionAttributeNames: {
          '#state': 'state',
          '#processed': 'processed',
          '#summary': 'summary',
          '#created': 'created',
          '#updated': 'updated',
          '#unchanged': 'unchanged',
          '#failed': 'failed',
        },
        ExpressionAttributeValues: {
          ':running': 'running',
          ':from': part.from,
          ':to': part.to,
          ...Object.fromEntries(Object.entries(part.counts).map(([name, count]) => [`:${name}`, count])),
          ':now': now.toISOString(),
          ':until': now.getTime() + leaseMs,
        },
      },
    }
    const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
      update,
    ]
    if (part.failures.length > 0) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.importFailures(id, part.from),
            // Gzipped JSON: a part's failures, with every field error, stay far below 400 KB.
            data: new Uint8Array(await gzipAsync(JSON.stringify(part.failures))),
            // Counted from now, not from the job's creation: it outlives the job by the job's run time at most.
            ttl: this.ttlFor(now.toISOString()),
          },
        },
      })
    }
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }))
    } catch (error) {
      if (isTransactionConditionFailure(error, 0)) throw new ImportJobSuperseded(id)
      throw error
    }
  }

  async release(id: string): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.importJob(id),
        UpdateExpression: 'REMOVE leaseUntil',
        ConditionExpression: 'attribute_exists(pk)',
      }),
    )
  }

  async finish(
    id: string,
    outcome:
      | { state: 'succeeded'; catalogueVersion: number }
      | { state: 'failed'; problem: ImportJobProblem },
    now: Date,
  ): Promise<boolean> {
    const result =
      outcome.state === 'succeeded'
        ? { name: 'catalogueVersion', value: outcome.catalogueVersion }
        : { name: 'problem', value: outcome.problem }
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.importJob(id),
          UpdateExpression:
            'SET #state = :state, finishedAt = :now, updatedAt = :now, #result = :result REMOVE leaseUntil',
          ConditionExpression: 'attribute_exists(pk) AND #state IN (:queued, :running)',
          ExpressionAttributeNames: { '#state': 'state', '#result': result.name },
          ExpressionAttributeValues: {
            ':state': outcome.state,
            ':now': now.toISOString(),
            ':result': result.value,
            ':queued': 'queued',
            ':running': 'running',
          },
        }),
      )
      return true
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false
      throw error
    }
  }
}
