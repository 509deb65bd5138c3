import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { createTableInput, TTL_ATTRIBUTE } from './table'

export interface DynamoOptions {
  region: string
  endpoint?: string | undefined
}

/** One DocumentClient per process; DynamoDB Local gets static dummy credentials. */
export function createDocumentClient(options: DynamoOptions): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: options.region,
    maxAttempts: 5,
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
