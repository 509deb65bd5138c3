import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { ulid } from 'ulid'
import { expiresAt, InstrumentInput, type InstrumentRecord } from '../../shared/instrument'
import type { AuditEvent, InstrumentStore } from '../../shared/instrument-repository'
import { keys } from '../../shared/table'
import { instrumentBody } from '../support/factories'

/** A stored record as the repository would write it, built without a transaction (bulk seeding). */
export function seedRecord(overrides: Partial<InstrumentInput> = {}, createdAt = '2026-01-05T09:00:00.000Z') {
  const input = InstrumentInput.parse(instrumentBody(overrides as never))
  const record: InstrumentRecord = {
    ...input,
    id: ulid().toLowerCase(),
    version: 1,
    createdAt,
    updatedAt: createdAt,
    createdBy: 'seed',
    updatedBy: 'seed',
  }
  return record
}

/**
 * Writes live instruments in the table's layout (`keys.live` + `expiresAt`, as the repository's
 * live item) with BatchWriteItem, 25 per request and several requests in flight: fast enough to
 * seed tens of thousands. No audit events: the expiry job neither reads nor needs them.
 */
export async function bulkLoadLive(
  client: DynamoDBDocumentClient,
  tableName: string,
  records: readonly InstrumentRecord[],
  parallel = 8,
): Promise<void> {
  const batches: InstrumentRecord[][] = []
  for (let start = 0; start < records.length; start += 25) batches.push(records.slice(start, start + 25))
  let next = 0
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!
      let pending: Record<string, unknown>[] | undefined = batch.map((record) => ({
        PutRequest: { Item: { ...keys.live(record.id), ...record, expiresAt: expiresAt(record) } },
      }))
      while (pending && pending.length > 0) {
        const result = await client.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }),
        )
        pending = result.UnprocessedItems?.[tableName] as Record<string, unknown>[] | undefined
      }
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker))
}

/** Every audit event of the table, oldest first. */
export async function allAuditEvents(store: InstrumentStore): Promise<AuditEvent[]> {
  return store.changesSince(0)
}

/** `count` live records with a date-only deadline, for bulk loads; the rest of each record is a factory default. */
export function seedRecords(count: number, overrides: (index: number) => Partial<InstrumentInput>) {
  return Array.from({ length: count }, (_, index) => seedRecord(overrides(index)))
}
