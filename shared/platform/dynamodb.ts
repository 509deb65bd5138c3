import { setTimeout as sleep } from 'node:timers/promises'
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  TransactionCanceledException,
  TransactionConflictException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb'
import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb'
import { decodeCursor, encodeCursor } from './cursor'
import { createTableInput, TTL_ATTRIBUTE } from './table'

export interface DynamoOptions {
  region: string
  endpoint?: string | undefined
}

/**
 * Attempts the SDK makes per request. The SDK re-sends one request that DynamoDB throttled or
 * failed with a 5xx, before any decision on it; it never re-sends a transaction DynamoDB cancelled
 * (the catalogue's transaction engine retries those, see `catalogue-transaction.ts`).
 */
const SDK_MAX_ATTEMPTS = 5

/** One DocumentClient per process; DynamoDB Local gets static dummy credentials. */
export function createDocumentClient(options: DynamoOptions): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: options.region,
    maxAttempts: SDK_MAX_ATTEMPTS,
    ...(options.endpoint
      ? { endpoint: options.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  })
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  })
}

/** Creates the table (and enables TTL) unless it exists. For DynamoDB Local and tests; AWS uses CDK. */
export async function ensureTable(
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<'created' | 'exists'> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }))
    return 'exists'
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error
  }
  await client.send(new CreateTableCommand(createTableInput(tableName)))
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    }),
  )
  return 'created'
}

/** A stored item as the DocumentClient returns it. */
export type Item = Record<string, unknown>

/** A key of the table (see `keys` in ./table). */
export interface ItemKey {
  pk: string
  sk: string
}

export interface PageRequest {
  limit: number
  cursor?: string | undefined
}

export interface ItemPage {
  items: Item[]
  nextCursor?: string | undefined
}

/**
 * Every item a Query matches, one page read at a time as the caller asks for more, following
 * `LastEvaluatedKey` to the end (a caller that stops early reads no further page).
 */
export async function* queryItems(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
): AsyncGenerator<Item> {
  let startKey: Item | undefined
  do {
    const result = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }))
    yield* result.Items ?? []
    startKey = result.LastEvaluatedKey
  } while (startKey)
}

/** Every item a Query matches, following `LastEvaluatedKey` to the end. */
export async function queryAll(client: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = []
  for await (const item of queryItems(client, input)) items.push(item)
  return items
}

/** Whether a transaction was cancelled because the condition of its item at `itemIndex` failed. */
export function isTransactionConditionFailure(error: unknown, itemIndex: number): boolean {
  return (
    error instanceof TransactionCanceledException &&
    error.CancellationReasons?.[itemIndex]?.Code === 'ConditionalCheckFailed'
  )
}

/**
 * Whether DynamoDB refused a write only because a transaction was writing the same item at that
 * moment: a single write that met one (`TransactionConflictException`, which the SDK does not
 * retry), or a transaction cancelled for that reason and no failed condition. Transient: the same
 * request can be made again straight away.
 */
export function isWriteConflict(error: unknown): boolean {
  return error instanceof TransactionConflictException || cancelledOnlyFor(error, 'TransactionConflict')
}

/** Errors DynamoDB throttles a request with (the SDK has already retried it before giving up). */
const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
])

/**
 * Whether DynamoDB throttled the request (a hot partition, the account's limit) past the SDK's own
 * retries, or cancelled a transaction for throttling alone: nothing was written, and the same request
 * can succeed a moment later.
 */
export function isThrottled(error: unknown): boolean {
  return (
    (error instanceof Error && THROTTLING_ERRORS.has(error.name)) ||
    cancelledOnlyFor(error, 'ThrottlingError')
  )
}

/** A transaction cancelled with `code` among its reasons and none of its conditions failed. */
function cancelledOnlyFor(error: unknown, code: string): boolean {
  if (!(error instanceof TransactionCanceledException)) return false
  const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code)
  return codes.includes(code) && !codes.includes('ConditionalCheckFailed')
}

/** The first `count` items a Query matches (fewer when it has fewer), however many reads that takes. */
export async function queryFirst(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  count: number,
): Promise<Item[]> {
  return (await queryUpTo(client, input, count, undefined)).items
}

/**
 * One page of a Query behind an opaque cursor. The cursor must carry `cursorScope`'s attributes, so
 * a crafted one cannot page through another partition. A filter applies after `Limit`, so this
 * keeps reading until the page is full or the query is done.
 */
export async function queryPage(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  request: PageRequest,
  cursorScope: Record<string, string>,
): Promise<ItemPage> {
  const startKey = request.cursor ? decodeCursor(request.cursor, cursorScope) : undefined
  const { items, lastKey } = await queryUpTo(client, input, request.limit, startKey)
  return { items, nextCursor: lastKey ? encodeCursor(lastKey) : undefined }
}

/**
 * Up to `count` items from `startKey` on, reading on while a page comes back short (a filter
 * applies after `Limit`), and the key to go on from when there may be more.
 */
async function queryUpTo(
  client: DynamoDBDocumentClient,
  input: QueryCommandInput,
  count: number,
  startKey: Item | undefined,
): Promise<{ items: Item[]; lastKey: Item | undefined }> {
  const items: Item[] = []
  let lastKey = startKey
  do {
    const result = await client.send(
      new QueryCommand({ ...input, Limit: count - items.length, ExclusiveStartKey: lastKey }),
    )
    items.push(...(result.Items ?? []))
    lastKey = result.LastEvaluatedKey
  } while (lastKey && items.length < count)
  return { items, lastKey }
}

/** DynamoDB's limits per BatchGetItem and per BatchWriteItem call. */
const BATCH_GET_KEYS = 100
export const BATCH_WRITE_REQUESTS = 25

/**
 * Strongly consistent BatchGet of any number of keys: duplicates dropped, 100 keys per call, the
 * keys DynamoDB leaves unprocessed (under load) asked again after a backoff. In no particular order.
 */
export async function batchGet(
  client: DynamoDBDocumentClient,
  tableName: string,
  itemKeys: readonly ItemKey[],
): Promise<Item[]> {
  const items: Item[] = []
  const unique = [...new Map(itemKeys.map((key) => [`${key.pk}\u0000${key.sk}`, key])).values()]
  for (let start = 0; start < unique.length; start += BATCH_GET_KEYS) {
    await untilAllProcessed(unique.slice(start, start + BATCH_GET_KEYS), async (keys) => {
      const result = await client.send(
        new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
      )
      items.push(...(result.Responses?.[tableName] ?? []))
      return result.UnprocessedKeys?.[tableName]?.Keys as ItemKey[] | undefined
    })
  }
  return items
}

export type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number]

/**
 * One BatchWriteItem of at most 25 requests, the ones DynamoDB leaves unprocessed (under load) sent
 * again after a backoff until none is left. Unconditional and not atomic: for bulk loads only.
 */
export async function batchWrite(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
): Promise<void> {
  if (requests.length > BATCH_WRITE_REQUESTS) {
    throw new RangeError(`A BatchWriteItem takes at most ${BATCH_WRITE_REQUESTS} requests.`)
  }
  await untilAllProcessed(requests, async (pending) => {
    const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }))
    return result.UnprocessedItems?.[tableName]
  })
}

/** Sends `pending`, then whatever `send` reports unprocessed, with a backoff between sends. */
async function untilAllProcessed<T>(
  pending: readonly T[],
  send: (pending: T[]) => Promise<T[] | undefined>,
): Promise<void> {
  let left: T[] | undefined = [...pending]
  for (let attempt = 0; left && left.length > 0; attempt++) {
    if (attempt > 0) await sleep(backoffMs(attempt))
    left = await send(left)
  }
}

/**
 * Capped exponential backoff with jitter before retry number `attempt` (1, 2, ...): 10, 20, 40, 80,
 * 160 ms, then 200 ms, each scaled by a random 0.5-1.5 so that writers racing on one item spread out.
 */
export function backoffMs(attempt: number): number {
  return Math.min(200, 5 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random())
}

interface ConsumedCapacityEntry {
  CapacityUnits?: number
  ReadCapacityUnits?: number
  WriteCapacityUnits?: number
}

/** Read and write capacity consumed through a client, as DynamoDB reports it. */
export interface CapacityMeter {
  readonly read: number
  readonly write: number
  reset(): void
}

/**
 * Asks DynamoDB to report consumed capacity on every call made through `client` and sums it, so
 * benchmarks and tests can state what an operation costs (RCU/WCU) instead of guessing.
 */
export function meterCapacity(client: DynamoDBDocumentClient): CapacityMeter {
  let read = 0
  let write = 0
  const READ_COMMANDS = /^(Get|BatchGet|Query|Scan|TransactGet)/
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string }
      input.ReturnConsumedCapacity = 'TOTAL'
      const result = await next(args)
      const isRead = READ_COMMANDS.test(context.commandName ?? '')
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity
      for (const entry of (Array.isArray(consumed) ? consumed : [consumed]) as ConsumedCapacityEntry[]) {
        if (!entry) continue
        // With TOTAL, DynamoDB reports CapacityUnits and, for some operations, the read/write split.
        read += entry.ReadCapacityUnits ?? (isRead ? (entry.CapacityUnits ?? 0) : 0)
        write += entry.WriteCapacityUnits ?? (isRead ? 0 : (entry.CapacityUnits ?? 0))
      }
      return result
    },
    { step: 'initialize', name: 'meterCapacity' },
  )
  return {
    get read() {
      return read
    },
    get write() {
      return write
    },
    reset() {
      read = 0
      write = 0
    },
  }
}
