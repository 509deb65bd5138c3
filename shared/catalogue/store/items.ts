import type { Item } from '../../platform/dynamodb'
import { keys, PARTITIONS, reviewSortKey } from '../../platform/table'
import { expiresAt, type InstrumentRecord, reviewReason } from '../instrument'
import type { ArchivedInstrument, AuditEvent } from './instrument-store'

/**
 * How instruments, archived instruments and audit events are laid out as table items, both ways.
 * The key and index attributes live here and in ../../platform/table.ts, nowhere else.
 */

/** Attributes of a live item that belong to the table, not to the record. */
const INTERNAL_ATTRIBUTES = new Set(['pk', 'sk', 'expiresAt', 'reviewQueue', 'reviewCountry', 'reviewSince'])

/**
 * A live instrument as the table stores it: the record under its key, plus `expiresAt` for the
 * expiry index and, while it waits for an editor, the review indexes' keys. Every write of a live
 * instrument is a whole-item Put, so a change that takes it out of review drops them in the same write.
 */
export function liveItemOf(record: InstrumentRecord): Item {
  return { ...keys.live(record.id), ...record, expiresAt: expiresAt(record), ...reviewAttributes(record) }
}

function reviewAttributes(record: InstrumentRecord): Item {
  if (reviewReason(record) === undefined) return {}
  return {
    reviewQueue: PARTITIONS.review,
    reviewSince: reviewSortKey(record.createdAt, record.id),
    // International instruments belong to no country: only unscoped editors review them.
    ...(record.origin !== 'international' && record.country ? { reviewCountry: record.country } : {}),
  }
}

/** An archived instrument as the table stores it: `ttl` lets DynamoDB purge it after `purgeAfter`. */
export function archivedItemOf(archived: ArchivedInstrument): Item {
  const ttl = Math.floor(Date.parse(archived.purgeAfter) / 1000)
  return { ...keys.archived(archived.instrument.id), ...archived, ttl }
}

/** An audit event as the table stores it, under the catalogue version it produced. */
export function auditItemOf(event: AuditEvent): Item {
  return { ...keys.audit(event.seq), ...event }
}

export function toRecord(item: Item): InstrumentRecord {
  const record: Item = {}
  for (const [key, value] of Object.entries(item)) if (!INTERNAL_ATTRIBUTES.has(key)) record[key] = value
  return record as unknown as InstrumentRecord
}

/** Every attribute of an archived instrument and of an audit event: checked complete by the compiler. */
const ARCHIVED_ATTRIBUTES: Record<keyof ArchivedInstrument, true> = {
  instrument: true,
  archivedAt: true,
  reason: true,
  archivedBy: true,
  purgeAfter: true,
}
const AUDIT_ATTRIBUTES: Record<keyof AuditEvent, true> = {
  seq: true,
  at: true,
  actor: true,
  action: true,
  instrumentId: true,
  instrumentVersion: true,
}

/** The named attributes of an item, and only those: keys, `ttl` and the like stay in the table. */
function pick<T>(item: Item, attributes: Record<keyof T, true>): T {
  return Object.fromEntries(Object.keys(attributes).map((name) => [name, item[name]])) as T
}

export function toArchived(item: Item): ArchivedInstrument {
  return pick<ArchivedInstrument>(item, ARCHIVED_ATTRIBUTES)
}

export function toAuditEvent(item: Item): AuditEvent {
  return pick<AuditEvent>(item, AUDIT_ATTRIBUTES)
}
