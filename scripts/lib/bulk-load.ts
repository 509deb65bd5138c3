import { BatchWriteCommand, type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import type { InstrumentRecord } from '../../shared/catalogue/instrument'
import { liveItemOf } from '../../shared/catalogue/store/instrument-store'
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
  for (let start = 0; start < records.length; start += 25) batches.push(records.slice(start, start + 25))
  let next = 0
  let written = 0
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as InstrumentRecord[]
      let pending: Record<string, unknown>[] | undefined = batch.map((record) => ({
        PutRequest: { Item: liveItemOf(record) },
      }))
      while (pending && pending.length > 0) {
        const result = await client.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }),
        )
        pending = result.UnprocessedItems?.[tableName] as Record<string, unknown>[] | undefined
      }
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
