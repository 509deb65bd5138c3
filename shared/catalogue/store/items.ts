import type { Item } from '../../platform/dynamodb'
import { keys } from '../../platform/table'
import { expiresAt, type InstrumentRecord } from '../instrument'
import type { ArchivedInstrument, ArchiveReason, AuditAction, AuditEvent } from './instrument-store'

/**
 * How instruments, archived instruments and audit events are laid out as table items, both ways.
 * The key and index attributes live here and in ../../platform/table.ts, nowhere else.
 */

/** Attributes of a live item that belong to the table, not to the record. */
const INTERNAL_ATTRIBUTES = new Set(['pk', 'sk', 'expiresAt'])

/** A live instrument as the table stores it: the record under its key, plus `expiresAt` for the expiry index. */
export function liveItemOf(record: InstrumentRecord): Item {
  return { ...keys.live(record.id), ...record, expiresAt: expiresAt(record) }
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

export function toArchived(item: Item): ArchivedInstrument {
  return {
    instrument: item.instrument as InstrumentRecord,
    archivedAt: item.archivedAt as string,
    reason: item.reason as ArchiveReason,
    archivedBy: item.archivedBy as string,
    purgeAfter: item.purgeAfter as string,
  }
}

export function toAuditEvent(item: Item): AuditEvent {
  return {
    seq: item.seq as number,
    at: item.at as string,
    actor: item.actor as string,
    action: item.action as AuditAction,
    instrumentId: item.instrumentId as string,
    instrumentVersion: item.instrumentVersion as number,
  }
}
