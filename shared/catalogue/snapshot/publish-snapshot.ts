import type { Logger } from '../../platform/logger'
import type { Clock } from '../../platform/time'
import type { InstrumentRecord } from '../instrument'
import { CatalogueIndex } from '../search/catalogue-index'
import type { InstrumentStore } from '../store/instrument-store'
import { catchUp, changeMarkOf } from './catch-up'
import { type CatalogueSnapshot, type ChangeMark, parseRecords, type StoredSnapshot } from './snapshot-format'
import type { SnapshotStore } from './snapshot-store'

export interface PublishSummary {
  published: boolean
  /** The catalogue version the current snapshot reflects. */
  version: number
  records: number
  /** What the new snapshot was made from: the previous one plus the change log, or the whole table. */
  basis: 'unchanged' | 'previous-snapshot' | 'table'
  key?: string | undefined
  bytes?: number | undefined
  /** Why the previous snapshot could not be the basis (none yet, corrupt, too far behind, ...). */
  previousIgnored?: string | undefined
}

export interface PublishDeps {
  store: InstrumentStore
  snapshots: SnapshotStore
  clock: Clock
  logger: Logger
}

/**
 * Publishes a snapshot of the live catalogue at the table's current version, unless the current
 * one already is. The next snapshot is the previous one plus the changes since (one Query and a
 * BatchGet per 100 changed ids), not a re-read of the whole partition; only when the previous
 * snapshot cannot be used, or more than `maxReplay` changes happened since, is the table read in
 * full. A failure at any step leaves the previous snapshot current.
 */
export async function publishSnapshot(
  deps: PublishDeps,
  options: { maxReplay?: number } = {},
): Promise<PublishSummary> {
  const { store, snapshots, clock, logger } = deps
  const [latest, previous] = await Promise.all([store.catalogueVersion(), snapshots.readLatest()])
  let next: Omit<CatalogueSnapshot, 'createdAt'> | undefined
  let previousIgnored = previous.reason
  if (previous.snapshot) {
    const caught = await catchUp(store, previous.snapshot, latest, options.maxReplay ?? 5_000)
    if (caught.ok && caught.version === previous.snapshot.version) {
      return {
        published: false,
        version: caught.version,
        records: previous.snapshot.recordTexts.length,
        basis: 'unchanged',
        key: previous.key,
      }
    }
    if (!caught.ok) {
      previousIgnored = caught.reason
    } else {
      const previousRecords = recordsOf(previous.snapshot)
      if (typeof previousRecords === 'string') {
        previousIgnored = previousRecords
      } else {
        const records = new Map(previousRecords.map((record) => [record.id, record]))
        for (const id of caught.changedIds) records.delete(id)
        for (const record of caught.current) records.set(record.id, record)
        next = {
          version: caught.version,
          lastEvent: caught.lastEvent ?? null,
          records: [...records.values()],
        }
      }
    }
  }
  const basis = next ? 'previous-snapshot' : 'table'
  if (!next) {
    const { version, records } = await store.loadCatalogue()
    next = { version, lastEvent: await changeMarkAt(store, version), records }
  }
  // The index parts go with the records, so that loading the snapshot needs no index build.
  const { records, index } = CatalogueIndex.build(next.records).prebuilt()
  const { key, bytes } = await snapshots.publish({
    ...next,
    records,
    index,
    createdAt: clock.now().toISOString(),
  })
  const summary: PublishSummary = {
    published: true,
    version: next.version,
    records: next.records.length,
    basis,
    key,
    bytes,
    previousIgnored: basis === 'table' ? previousIgnored : undefined,
  }
  logger.info('catalogue snapshot published', { ...summary })
  return summary
}

/** The previous snapshot's records, or why they cannot be read. */
function recordsOf(snapshot: StoredSnapshot): InstrumentRecord[] | string {
  try {
    return parseRecords(snapshot)
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

/** The change-log event that produced `version`, or null when none did (version 0, a bulk load). */
async function changeMarkAt(store: InstrumentStore, version: number): Promise<ChangeMark | null> {
  if (version === 0) return null
  const [event] = await store.changesSince(version - 1, { limit: 1 })
  return event?.seq === version ? changeMarkOf(event) : null
}
