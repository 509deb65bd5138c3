import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3'
import type { InstrumentRecord } from '../../shared/catalogue/instrument'
import { LiveCatalogue, type LiveCatalogueOptions } from '../../shared/catalogue/search/live-catalogue'
import { searchCriteria } from '../../shared/catalogue/search/search-query'
import { publishSnapshot } from '../../shared/catalogue/snapshot/publish-snapshot'
import { S3SnapshotStore, SNAPSHOT_KEYS } from '../../shared/catalogue/snapshot/snapshot-store'
import { DynamoInstrumentStore } from '../../shared/catalogue/store'
import { createDocumentClient } from '../../shared/platform/dynamodb'
import type { Logger } from '../../shared/platform/logger'
import { createS3Client } from '../../shared/platform/s3'
import { createTestContext, type TestContext } from '../support/context'
import { type InstrumentBody, instrumentInput, revisedInput } from '../support/factories'

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error'
  message: string
  fields: Record<string, unknown>
}

/** A logger that keeps what it is told, to check what was logged (and how often). */
export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = []
  const record =
    (level: LogLine['level']) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      lines.push({ level, message, fields })
    }
  return {
    lines,
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    withLambdaContext: () => {},
  }
}

/** An S3 client that fails `PutObject` of the keys `fails(key)` names, as a crash at that point would. */
export function failingPuts(client: S3Client, fails: (key: string) => boolean): S3Client {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: string }
      if (context.commandName === 'PutObjectCommand' && input.Key && fails(input.Key)) {
        throw new Error(`injected failure writing ${input.Key}`)
      }
      return next(args)
    },
    { step: 'initialize', name: 'failingPuts' },
  )
  return client
}

/** A table with its own snapshot bucket, a publisher on it, and a way to start cold search instances. */
export async function snapshotContext() {
  const t = await createTestContext({ snapshots: true })
  const bucket = t.config.snapshotBucket as string
  const s3 = () => createS3Client({ region: t.config.region, endpoint: t.config.s3Endpoint })
  const logger = recordingLogger()
  const snapshots = new S3SnapshotStore(s3(), bucket, logger)
  const publish = (store = snapshots) =>
    publishSnapshot({ store: t.store, snapshots: store, clock: t.clock, logger })

  /**
   * A new search instance, as a fresh Lambda container has it, with its own DynamoDB client that
   * counts the requests it sends.
   */
  const coldInstance = (options: LiveCatalogueOptions = {}) => {
    const client = createDocumentClient({ region: t.config.region, endpoint: t.config.dynamodbEndpoint })
    const requests: string[] = []
    client.middlewareStack.add(
      (next, context) => async (args) => {
        requests.push(context.commandName ?? 'unknown')
        return next(args)
      },
      { step: 'initialize', name: 'countRequests' },
    )
    const catalogue = new LiveCatalogue(new DynamoInstrumentStore(client, t.tableName), {
      snapshots,
      logger,
      ...options,
    })
    return { catalogue, requests }
  }

  const create = (body: Partial<InstrumentBody> = {}) =>
    t.store.create(instrumentInput(body), 'editor', t.clock.now())

  const rename = (record: InstrumentRecord, name: string) =>
    t.store.replace(record.id, revisedInput(record, { name }), record.version, 'editor', t.clock.now())

  const remove = (record: InstrumentRecord) =>
    t.store.archive(record.id, {
      expectedVersion: record.version,
      reason: 'deleted',
      actor: 'admin',
      now: t.clock.now(),
    })

  /** Everything a search instance would answer, in name order. */
  const everything = async (catalogue: LiveCatalogue) =>
    (await catalogue.search(searchCriteria({ sort: 'name', limit: 1000 }), t.clock.now())).items.map(
      ({ id, name, version }) => ({ id, name, version }),
    )

  /** What a full load of the table answers: the reference a snapshot load must equal. */
  const truth = () => everything(new LiveCatalogue(t.store))

  const getObject = async (key: string) => {
    const result = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    return Buffer.from((await result.Body?.transformToByteArray()) ?? [])
  }
  const putObject = (key: string, body: string | Uint8Array) =>
    s3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))
  const pointer = async () => JSON.parse((await getObject(SNAPSHOT_KEYS.pointer)).toString('utf8'))
  const snapshotKeys = async () =>
    (
      (await s3().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: SNAPSHOT_KEYS.prefix })))
        .Contents ?? []
    )
      .map((object) => object.Key as string)
      .sort()

  const ignored = () => logger.lines.filter((line) => line.message.startsWith('catalogue snapshot not used'))

  return {
    t,
    bucket,
    s3,
    logger,
    snapshots,
    publish,
    coldInstance,
    create,
    rename,
    remove,
    everything,
    truth,
    getObject,
    putObject,
    pointer,
    snapshotKeys,
    ignored,
  }
}

export type SnapshotContext = Awaited<ReturnType<typeof snapshotContext>>
export type { TestContext }
