import { ulid } from 'ulid'
import { InstrumentInput, type InstrumentRecord } from '../../shared/catalogue/instrument'
import type { AuditEvent, InstrumentStore } from '../../shared/catalogue/store/instrument-store'
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

export { bulkLoadLive } from '../../scripts/lib/bulk-load'

/** Every audit event of the table, oldest first. */
export async function allAuditEvents(store: InstrumentStore): Promise<AuditEvent[]> {
  return store.changesSince(0)
}

/** `count` live records with a date-only deadline, for bulk loads; the rest of each record is a factory default. */
export function seedRecords(count: number, overrides: (index: number) => Partial<InstrumentInput>) {
  return Array.from({ length: count }, (_, index) => seedRecord(overrides(index)))
}
