import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { InstrumentRecord } from '../../shared/catalogue/instrument'
import { liveItemOf } from '../../shared/catalogue/store'
import { BATCH_WRITE_REQUESTS, batchWrite } from '../../shared/platform/dynamodb'
import { keys } from '../../shared/platform/table'

export interface BulkLoadOptions {
  /** BatchWriteItem requests in flight (25 items each). */
  parallel?: number
  onProgress?: (written: number, total: number) => void
  /**
   * Bump the catalogue version so search instances reload, as a write through the store would.
   * No audit events are written: bulk loads are for benchmarks, load tests and test fixtures.
   */
  bumpCatalogueVersion?: boolean
}

/**
 * Writes live instruments with BatchWriteItem, 25 per request and several requests in flight:
 * tens of thousands in seconds, where audited transactions one by one would take minutes.
 */
export async function bulkLoadLive(
  client: DynamoDBDocumentClient,
  tableName: string,
  records: readonly InstrumentRecord[],
  options: BulkLoadOptions = {},
): Promise<void> {
  const batches: InstrumentRecord[][] = []
  for (let start = 0; start < records.length; start += BATCH_WRITE_REQUESTS) {
    batches.push(records.slice(start, start + BATCH_WRITE_REQUESTS))
  }
  let next = 0
  let written = 0
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as InstrumentRecord[]
      await batchWrite(
        client,
        tableName,
        batch.map((record) => ({ PutRequest: { Item: liveItemOf(record) } })),
      )
      written += batch.length
      options.onProgress?.(written, records.length)
    }
  }
  await Promise.all(Array.from({ length: options.parallel ?? 8 }, worker))
  if (options.bumpCatalogueVersion) {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.catalogueVersion(),
        UpdateExpression: 'ADD version :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    )
  }
}
