import { type Instrument, isPublished, toPublicInstrument } from './instrument'
import type { ArchivedInstrument, InstrumentStore } from './store/instrument-store'

/** What the public may learn about an instrument id. */
export type PublicLookup =
  | { found: 'open'; instrument: Instrument }
  /** Still in the catalogue, but past its deadline (the expiry job has not run yet). */
  | { found: 'expired'; instrument: Instrument }
  | { found: 'archived'; archived: ArchivedInstrument }
  | { found: 'nothing' }

/**
 * One instrument as the public sees it (the API's `GET /v1/instruments/{id}` and the detail page).
 * A held instrument was never published, so the public learns nothing about it, live or archived:
 * exactly what an id that never existed tells.
 */
export async function findPublicInstrument(
  store: InstrumentStore,
  id: string,
  now: Date,
): Promise<PublicLookup> {
  const record = await store.get(id)
  if (record) {
    if (!isPublished(record)) return { found: 'nothing' }
    const instrument = toPublicInstrument(record, now)
    return { found: instrument.status === 'expired' ? 'expired' : 'open', instrument }
  }
  const archived = await store.getArchived(id)
  if (archived && isPublished(archived.instrument)) return { found: 'archived', archived }
  return { found: 'nothing' }
}
