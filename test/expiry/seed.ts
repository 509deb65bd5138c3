import type { InstrumentInput } from '../../shared/catalogue/instrument'
import type { AuditEvent, InstrumentStore } from '../../shared/catalogue/store/instrument-store'
import { instrumentInput, storedRecord } from '../support/factories'

export { bulkLoadLive } from '../../scripts/lib/bulk-load'

/** Every audit event of the table, oldest first. */
export async function allAuditEvents(store: InstrumentStore): Promise<AuditEvent[]> {
  return store.changesSince(0)
}

/** `count` live records with a date-only deadline, for bulk loads; the rest of each record is a factory default. */
export function seedRecords(count: number, overrides: (index: number) => Partial<InstrumentInput>) {
  return Array.from({ length: count }, (_, index) => storedRecord(instrumentInput(overrides(index))))
}
