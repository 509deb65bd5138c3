import type { InstrumentRecord } from '../instrument'
import type { AuditEvent, InstrumentStore } from '../store/instrument-store'
import type { ChangeMark } from './snapshot-format'

/** A copy of the catalogue at a version: a snapshot, or what a search instance holds. */
export interface CatalogueBase {
  version: number
  /** The event that produced `version` (null: none did); undefined when not known, which skips the history check. */
  lastEvent?: ChangeMark | null | undefined
}

export type CatchUp =
  | {
      ok: true
      /** The version the copy is at once the changes are applied (at least the table's version as read). */
      version: number
      lastEvent: ChangeMark | null | undefined
      /** Ids changed since the copy's version: `current` holds those still live, the others were removed. */
      changedIds: string[]
      current: InstrumentRecord[]
    }
  | { ok: false; reason: string }

export function changeMarkOf(event: AuditEvent): ChangeMark {
  return {
    seq: event.seq,
    at: event.at,
    instrumentId: event.instrumentId,
    instrumentVersion: event.instrumentVersion,
  }
}

const sameMark = (a: ChangeMark, b: ChangeMark) =>
  a.seq === b.seq &&
  a.at === b.at &&
  a.instrumentId === b.instrumentId &&
  a.instrumentVersion === b.instrumentVersion

/**
 * What it takes to bring a copy of the catalogue at `base.version` up to the table's `latest`
 * version from the change log: one Query (at most `maxChanges` events, plus the one at the base's
 * version to check the copy belongs to this table's history) and one BatchGet per 100 changed ids.
 * Refused, with a reason, when the copy is ahead of the table (another table's, or a table restored
 * to an earlier point), when the table's log at the copy's version is not the copy's, when the log
 * cannot explain every version up to `latest` (a bulk load bumped it without events), or when more
 * than `maxChanges` changes would have to be replayed.
 */
export async function catchUp(
  store: InstrumentStore,
  base: CatalogueBase,
  latest: number,
  maxChanges: number,
): Promise<CatchUp> {
  if (base.version > latest) {
    return {
      ok: false,
      reason: `it is at version ${base.version}, ahead of the table's ${latest} (another table's, or a restored table)`,
    }
  }
  const checkHistory = base.lastEvent !== undefined && base.version > 0
  const from = checkHistory ? base.version - 1 : base.version
  const events = await store.changesSince(from, { limit: maxChanges + 2 })
  if (checkHistory) {
    const atBase = events[0]?.seq === base.version ? (events.shift() as AuditEvent) : undefined
    const matches = base.lastEvent
      ? atBase !== undefined && sameMark(changeMarkOf(atBase), base.lastEvent)
      : atBase === undefined
    if (!matches) {
      return {
        ok: false,
        reason: `the table's change log at version ${base.version} is not the one it was made from`,
      }
    }
  }
  if (events.length > maxChanges) {
    return { ok: false, reason: `more than ${maxChanges} changes behind the table` }
  }
  for (const [index, event] of events.entries()) {
    if (event.seq !== base.version + 1 + index) {
      return { ok: false, reason: `the change log has no event for version ${base.version + 1 + index}` }
    }
  }
  const reached = base.version + events.length
  if (reached < latest) {
    return { ok: false, reason: `the change log has no event for version ${reached + 1}` }
  }
  const changedIds = [...new Set(events.map((event) => event.instrumentId))]
  const last = events.at(-1)
  return {
    ok: true,
    version: reached,
    lastEvent: last ? changeMarkOf(last) : base.lastEvent,
    changedIds,
    current: changedIds.length > 0 ? await store.getMany(changedIds) : [],
  }
}
