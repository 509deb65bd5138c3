import type { InstrumentContent, InstrumentRecord } from '../instrument'

export const AUDIT_ACTIONS = ['created', 'updated', 'deleted', 'expired', 'withdrawn', 'restored'] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

/** One change to the catalogue. `seq` is the catalogue version the change produced. */
export interface AuditEvent {
  seq: number
  at: string
  actor: string
  action: AuditAction
  instrumentId: string
  instrumentVersion: number
}

/** `withdrawn`: its source stopped listing it before its deadline (the sync, shared/catalogue/sources). */
export const ARCHIVE_REASONS = ['expired', 'deleted', 'withdrawn'] as const
export type ArchiveReason = (typeof ARCHIVE_REASONS)[number]

export interface ArchivedInstrument {
  instrument: InstrumentRecord
  archivedAt: string
  reason: ArchiveReason
  archivedBy: string
  /** When DynamoDB's TTL removes the archived copy for good. */
  purgeAfter: string
}

export interface Page<T> {
  items: T[]
  nextCursor?: string | undefined
}

export interface ArchiveOptions {
  expectedVersion: number
  reason: ArchiveReason
  actor: string
  now: Date
  /** The current record when the caller has just read it (the expiry job), saving a read. */
  current?: InstrumentRecord
}

export interface RestoreOptions {
  actor: string
  now: Date
  /** A new deadline; `null` makes the instrument open-ended; undefined keeps the archived one. */
  deadline?: string | null
}

export interface ReviewQueueOptions {
  /** Only national and regional instruments of these countries (a national contact point's view); undefined: all. */
  countries?: readonly string[] | undefined
  limit: number
  cursor?: string | undefined
}

/** One change of a batch write (`writeMany`, used by imports). */
export type InstrumentChange =
  | {
      action: 'create'
      input: InstrumentContent
      /**
       * The id to create it under, generated when absent. An import job names the ids of the
       * records it creates without an externalId, so that a re-run after a crash finds them.
       */
      id?: string
    }
  | {
      action: 'replace'
      /** The record as just read: its version is the one expected, its externalId the one to release. */
      current: InstrumentRecord
      input: InstrumentContent
    }

/** What became of one change: the written record, or the domain error that refused it. */
export type ChangeOutcome = { ok: true; record: InstrumentRecord } | { ok: false; error: Error }

/**
 * Every access pattern on instruments, behind one interface: the port the domain, the API and the
 * jobs depend on. `DynamoInstrumentStore` (./dynamo-instrument-store.ts) is its adapter; every write
 * goes through the catalogue transaction engine (./catalogue-transaction.ts), which also owns the
 * retries, so callers never retry a write themselves: a write still contended after them fails
 * with `WriteContention`, a write whose condition fails with its domain error (`VersionConflict`,
 * `DuplicateExternalId`, ...).
 */
export interface InstrumentStore {
  create(input: InstrumentContent, actor: string, now: Date): Promise<InstrumentRecord>
  /**
   * Creates and replaces many instruments in as few transactions as DynamoDB's limits allow, each
   * change audited. A change whose condition fails (stale version, externalId taken) is reported
   * in its outcome and the rest of its transaction is retried without it. `onCommitted` is told
   * after each transaction, with how many changes are done so far.
   */
  writeMany(
    changes: readonly InstrumentChange[],
    actor: string,
    now: Date,
    onCommitted?: (done: number) => void,
  ): Promise<ChangeOutcome[]>
  get(id: string): Promise<InstrumentRecord | undefined>
  getMany(ids: readonly string[]): Promise<InstrumentRecord[]>
  getArchived(id: string): Promise<ArchivedInstrument | undefined>
  findIdByExternalId(externalId: string): Promise<string | undefined>
  /** Many externalIds at once (BatchGet, 100 a call): externalId -> instrument id, for those in use. */
  findIdsByExternalIds(externalIds: readonly string[]): Promise<Map<string, string>>
  replace(
    id: string,
    input: InstrumentContent,
    expectedVersion: number,
    actor: string,
    now: Date,
    /** The current record when the caller has just read it (the editing rules need it), saving a read. */
    current?: InstrumentRecord,
  ): Promise<InstrumentRecord>
  archive(id: string, options: ArchiveOptions): Promise<ArchivedInstrument>
  restore(id: string, options: RestoreOptions): Promise<InstrumentRecord>
  listArchive(options: {
    reason?: ArchiveReason | undefined
    limit: number
    cursor?: string | undefined
  }): Promise<Page<ArchivedInstrument>>
  listAudit(options: {
    instrumentId?: string | undefined
    limit: number
    cursor?: string | undefined
  }): Promise<Page<AuditEvent>>
  /**
   * Live instruments waiting for an editor (held, or features still suggested), oldest first
   * (`createdAt`, then id). The cursor is bound to the countries it was issued for.
   */
  listReviewQueue(options: ReviewQueueOptions): Promise<Page<InstrumentRecord>>
  /** Live instruments whose expiry instant is at or before `at`, soonest first. */
  listExpiredBy(
    at: number,
    options: { limit: number; cursor?: string | undefined },
  ): Promise<Page<InstrumentRecord>>
  catalogueVersion(): Promise<number>
  /** Change events after `version`, oldest first; at most `limit` of them when given. */
  changesSince(version: number, options?: { limit?: number }): Promise<AuditEvent[]>
  /** The whole live catalogue with the version it is at least as new as. */
  loadCatalogue(): Promise<{ version: number; records: InstrumentRecord[] }>
}
