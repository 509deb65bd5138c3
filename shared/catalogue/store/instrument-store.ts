import { TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb'
import { ulid } from 'ulid'
import { decodeCursor, encodeCursor } from '../../platform/cursor'
import { auditSortKey, keys, PARTITIONS } from '../../platform/table'
import {
  BusinessRuleViolation,
  DuplicateExternalId,
  InstrumentAlreadyLive,
  InstrumentGone,
  InstrumentNotFound,
  VersionConflict,
  WriteContention,
} from '../errors'
import { expiresAt, type InstrumentInput, type InstrumentRecord, isExpired } from '../instrument'

export const AUDIT_ACTIONS = ['created', 'updated', 'deleted', 'expired', 'restored'] as const
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

export const ARCHIVE_REASONS = ['expired', 'deleted'] as const
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

/** One change of a batch write (`writeMany`, used by imports). */
export type InstrumentChange =
  | { action: 'create'; input: InstrumentInput }
  | {
      action: 'replace'
      /** The record as just read: its version is the one expected, its externalId the one to release. */
      current: InstrumentRecord
      input: InstrumentInput
    }

/** What became of one change: the written record, or the domain error that refused it. */
export type ChangeOutcome = { ok: true; record: InstrumentRecord } | { ok: false; error: Error }

/** Every access pattern on instruments, behind one interface (the DynamoDB adapter below). */
export interface InstrumentStore {
  create(input: InstrumentInput, actor: string, now: Date): Promise<InstrumentRecord>
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
    input: InstrumentInput,
    expectedVersion: number,
    actor: string,
    now: Date,
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

interface GuardedWrite {
  item: NonNullable<TransactWriteCommandInput['TransactItems']>[number]
  /** The domain error to throw when this write's condition fails (`old` is the item as stored, if any). */
  onConditionFailed: (old: Record<string, { N?: string; S?: string }> | undefined) => Error
}

interface NewEvent {
  actor: string
  action: AuditAction
  instrumentId: string
  instrumentVersion: number
}

/** A batch change turned into its guarded writes and audit event. */
interface PlannedChange {
  index: number
  record: InstrumentRecord
  writes: GuardedWrite[]
  event: NewEvent
  /** Items the writes touch; one transaction may not touch an item twice. */
  touches: string[]
  /** Generous estimate of the bytes the writes add to a transaction. */
  bytes: number
}

const MAX_COMMIT_ATTEMPTS = 25
const INTERNAL_ATTRIBUTES = new Set(['pk', 'sk', 'expiresAt'])
/** DynamoDB allows 100 items per transaction; one is the catalogue version item. */
const MAX_TRANSACTION_ITEMS = 100
/** DynamoDB allows 4 MB per transaction; stay well below it (attribute names and overhead count too). */
const MAX_TRANSACTION_BYTES = 3 * 1024 * 1024

/** A batch change's own condition failed; carries which change, so the rest can be retried without it. */
class ChangeRefused extends Error {
  constructor(
    readonly changeIndex: number,
    readonly reason: Error,
  ) {
    super(reason.message)
  }
}

export class DynamoInstrumentStore implements InstrumentStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly archiveRetentionDays = 365,
  ) {}

  async create(input: InstrumentInput, actor: string, now: Date): Promise<InstrumentRecord> {
    return this.commitOne({ action: 'create', input }, actor, now)
  }

  async writeMany(
    changes: readonly InstrumentChange[],
    actor: string,
    now: Date,
    onCommitted?: (done: number) => void,
  ): Promise<ChangeOutcome[]> {
    const outcomes: ChangeOutcome[] = new Array(changes.length)
    const planned = changes.map((change, index) => this.planChange(change, index, actor, now))
    let done = 0
    const commitBatch = async (batch: PlannedChange[]) => {
      let pending = batch
      while (pending.length > 0) {
        try {
          await this.commit(
            pending.flatMap((plan) => plan.writes),
            pending.map((plan) => plan.event),
            now,
          )
          for (const plan of pending) outcomes[plan.index] = { ok: true, record: plan.record }
          pending = []
        } catch (error) {
          if (!(error instanceof ChangeRefused)) throw error
          outcomes[error.changeIndex] = { ok: false, error: error.reason }
          pending = pending.filter((plan) => plan.index !== error.changeIndex)
        }
      }
      done += batch.length
      onCommitted?.(done)
    }

    // Greedy batching within DynamoDB's transaction limits; a transaction may not touch one item
    // twice (say, one row releasing an externalId that the next claims), so that starts a new one.
    let batch: PlannedChange[] = []
    let items = 1
    let bytes = 0
    let touched = new Set<string>()
    for (const plan of planned) {
      const planItems = plan.writes.length + 1
      const collides = plan.touches.some((key) => touched.has(key))
      if (
        batch.length > 0 &&
        (collides || items + planItems > MAX_TRANSACTION_ITEMS || bytes + plan.bytes > MAX_TRANSACTION_BYTES)
      ) {
        await commitBatch(batch)
        batch = []
        items = 1
        bytes = 0
        touched = new Set()
      }
      batch.push(plan)
      items += planItems
      bytes += plan.bytes
      for (const key of plan.touches) touched.add(key)
    }
    if (batch.length > 0) await commitBatch(batch)
    return outcomes
  }

  private planChange(change: InstrumentChange, index: number, actor: string, now: Date): PlannedChange {
    const { record, writes, event } = this.planWrites(change, actor, now)
    const touches = [`live:${record.id}`]
    for (const externalId of [
      record.externalId,
      change.action === 'replace' ? change.current.externalId : undefined,
    ])
      if (externalId) touches.push(`external:${externalId}`)
    return {
      index,
      record,
      // In a batch, a refused condition names the change it belongs to, so the others can go on.
      writes: writes.map((write) => ({
        ...write,
        onConditionFailed: (old) => new ChangeRefused(index, write.onConditionFailed(old)),
      })),
      event,
      touches,
      bytes: Buffer.byteLength(JSON.stringify(record)) * 2 + 1024,
    }
  }

  /** The record a change produces, the guarded writes that store it and its audit event. */
  private planWrites(
    change: InstrumentChange,
    actor: string,
    now: Date,
  ): { record: InstrumentRecord; writes: GuardedWrite[]; event: NewEvent } {
    const at = now.toISOString()
    if (change.action === 'create') {
      const record: InstrumentRecord = {
        ...change.input,
        id: ulid(now.getTime()).toLowerCase(),
        version: 1,
        createdAt: at,
        updatedAt: at,
        createdBy: actor,
        updatedBy: actor,
      }
      const writes: GuardedWrite[] = [
        {
          item: {
            Put: {
              TableName: this.tableName,
              Item: liveItemOf(record),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          onConditionFailed: () => new Error(`Generated id collided: ${record.id}`),
        },
        ...this.claimExternalId(record),
      ]
      return {
        record,
        writes,
        event: { actor, action: 'created', instrumentId: record.id, instrumentVersion: 1 },
      }
    }
    const { current } = change
    const record: InstrumentRecord = {
      ...change.input,
      id: current.id,
      version: current.version + 1,
      createdAt: current.createdAt,
      createdBy: current.createdBy,
      updatedAt: at,
      updatedBy: actor,
    }
    const writes: GuardedWrite[] = [
      {
        item: {
          Put: {
            TableName: this.tableName,
            Item: liveItemOf(record),
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': current.version },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        onConditionFailed: (old) =>
          old
            ? new VersionConflict(current.id, current.version, Number(old.version?.N))
            : new InstrumentNotFound(current.id),
      },
    ]
    if (current.externalId !== record.externalId) {
      writes.push(...this.releaseExternalId(current), ...this.claimExternalId(record))
    }
    return {
      record,
      writes,
      event: { actor, action: 'updated', instrumentId: record.id, instrumentVersion: record.version },
    }
  }

  async get(id: string): Promise<InstrumentRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.live(id), ConsistentRead: true }),
    )
    return Item ? toRecord(Item) : undefined
  }

  async getMany(ids: readonly string[]): Promise<InstrumentRecord[]> {
    return (await this.batchGet(ids.map((id) => keys.live(id)))).map(toRecord)
  }

  async getArchived(id: string): Promise<ArchivedInstrument | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.archived(id), ConsistentRead: true }),
    )
    return Item ? toArchived(Item) : undefined
  }

  async findIdByExternalId(externalId: string): Promise<string | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.external(externalId), ConsistentRead: true }),
    )
    return Item?.id as string | undefined
  }

  async findIdsByExternalIds(externalIds: readonly string[]): Promise<Map<string, string>> {
    const claims = await this.batchGet(externalIds.map((externalId) => keys.external(externalId)))
    return new Map(claims.map((claim) => [claim.sk as string, claim.id as string]))
  }

  async replace(
    id: string,
    input: InstrumentInput,
    expectedVersion: number,
    actor: string,
    now: Date,
  ): Promise<InstrumentRecord> {
    const current = await this.requireLive(id)
    if (current.version !== expectedVersion) throw new VersionConflict(id, expectedVersion, current.version)
    return this.commitOne({ action: 'replace', input, current }, actor, now)
  }

  /** One create or replace, planned exactly as `writeMany` plans each of its changes. */
  private async commitOne(change: InstrumentChange, actor: string, now: Date): Promise<InstrumentRecord> {
    const { record, writes, event } = this.planWrites(change, actor, now)
    await this.commit(writes, [event], now)
    return record
  }

  async archive(id: string, options: ArchiveOptions): Promise<ArchivedInstrument> {
    const current = options.current ?? (await this.requireLive(id))
    if (current.version !== options.expectedVersion) {
      throw new VersionConflict(id, options.expectedVersion, current.version)
    }
    const archivedAtMs = options.now.getTime()
    const purgeAtMs = archivedAtMs + this.archiveRetentionDays * 86_400_000
    const archived: ArchivedInstrument = {
      instrument: current,
      archivedAt: options.now.toISOString(),
      reason: options.reason,
      archivedBy: options.actor,
      purgeAfter: new Date(purgeAtMs).toISOString(),
    }
    const writes: GuardedWrite[] = [
      {
        item: {
          Delete: {
            TableName: this.tableName,
            Key: keys.live(id),
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': options.expectedVersion },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        onConditionFailed: (old) =>
          old
            ? new VersionConflict(id, options.expectedVersion, Number(old.version?.N))
            : new InstrumentNotFound(id),
      },
      {
        item: {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.archived(id), ...archived, ttl: Math.floor(purgeAtMs / 1000) },
          },
        },
        onConditionFailed: () => new Error('unconditional put failed'),
      },
      ...this.releaseExternalId(current),
    ]
    const action = options.reason === 'deleted' ? 'deleted' : 'expired'
    await this.commit(
      writes,
      [{ actor: options.actor, action, instrumentId: id, instrumentVersion: current.version }],
      options.now,
    )
    return archived
  }

  async restore(id: string, options: RestoreOptions): Promise<InstrumentRecord> {
    const archived = await this.getArchived(id)
    if (!archived) {
      if (await this.get(id)) throw new InstrumentAlreadyLive(id)
      throw new InstrumentNotFound(id)
    }
    const { deadline: _previousDeadline, ...rest } = archived.instrument
    const deadline =
      options.deadline === undefined ? archived.instrument.deadline : (options.deadline ?? undefined)
    const record: InstrumentRecord = {
      ...rest,
      ...(deadline === undefined ? {} : { deadline }),
      version: archived.instrument.version + 1,
      updatedAt: options.now.toISOString(),
      updatedBy: options.actor,
    }
    // A restored instrument whose deadline has passed would be archived again by the next expiry run.
    if (isExpired(record, options.now)) {
      throw new BusinessRuleViolation(
        options.deadline === undefined
          ? 'The archived deadline has passed; send a new deadline (or null for open-ended) to restore it.'
          : 'The deadline has already passed.',
        [
          {
            path: 'deadline',
            message: `${record.deadline} is in the past (deadlines close at the end of the day, Europe/Brussels)`,
          },
        ],
      )
    }
    const writes: GuardedWrite[] = [
      {
        item: {
          Put: {
            TableName: this.tableName,
            Item: liveItemOf(record),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        // Another restore of the same instrument won the race.
        onConditionFailed: () => new InstrumentAlreadyLive(id),
      },
      {
        item: {
          Delete: {
            TableName: this.tableName,
            Key: keys.archived(id),
            ConditionExpression: 'archivedAt = :archivedAt',
            ExpressionAttributeValues: { ':archivedAt': archived.archivedAt },
          },
        },
        onConditionFailed: () => new InstrumentNotFound(id),
      },
      ...this.claimExternalId(record),
    ]
    await this.commit(
      writes,
      [{ actor: options.actor, action: 'restored', instrumentId: id, instrumentVersion: record.version }],
      options.now,
    )
    return record
  }

  async listArchive(options: {
    reason?: ArchiveReason | undefined
    limit: number
    cursor?: string | undefined
  }): Promise<Page<ArchivedInstrument>> {
    const page = await this.queryPage(
      {
        TableName: this.tableName,
        IndexName: 'archiveByTime',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: {
          ':pk': PARTITIONS.archive,
          ...(options.reason ? { ':reason': options.reason } : {}),
        },
        ...(options.reason
          ? { FilterExpression: '#reason = :reason', ExpressionAttributeNames: { '#reason': 'reason' } }
          : {}),
        ScanIndexForward: false,
      },
      options,
      { pk: PARTITIONS.archive },
    )
    return { items: page.items.map(toArchived), nextCursor: page.nextCursor }
  }

  async listAudit(options: {
    instrumentId?: string | undefined
    limit: number
    cursor?: string | undefined
  }): Promise<Page<AuditEvent>> {
    const input: QueryCommandInput = options.instrumentId
      ? {
          TableName: this.tableName,
          IndexName: 'auditByInstrument',
          KeyConditionExpression: 'instrumentId = :id',
          ExpressionAttributeValues: { ':id': options.instrumentId },
          ScanIndexForward: false,
        }
      : {
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': PARTITIONS.audit },
          ScanIndexForward: false,
        }
    const page = await this.queryPage(
      input,
      options,
      options.instrumentId ? { instrumentId: options.instrumentId } : { pk: PARTITIONS.audit },
    )
    return { items: page.items.map(toAuditEvent), nextCursor: page.nextCursor }
  }

  async listExpiredBy(
    at: number,
    options: { limit: number; cursor?: string | undefined },
  ): Promise<Page<InstrumentRecord>> {
    const page = await this.queryPage(
      {
        TableName: this.tableName,
        IndexName: 'liveByExpiry',
        KeyConditionExpression: 'pk = :pk AND expiresAt <= :at',
        ExpressionAttributeValues: { ':pk': PARTITIONS.catalogue, ':at': at },
      },
      options,
      { pk: PARTITIONS.catalogue },
    )
    return { items: page.items.map(toRecord), nextCursor: page.nextCursor }
  }

  async catalogueVersion(): Promise<number> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.catalogueVersion(),
        ConsistentRead: true,
        ProjectionExpression: 'version',
      }),
    )
    return (Item?.version as number | undefined) ?? 0
  }

  async changesSince(version: number, options: { limit?: number } = {}): Promise<AuditEvent[]> {
    const events: AuditEvent[] = []
    const limit = options.limit ?? Number.POSITIVE_INFINITY
    let startKey: Record<string, unknown> | undefined
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk > :after',
          ExpressionAttributeValues: { ':pk': PARTITIONS.audit, ':after': auditSortKey(version) },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
          ...(Number.isFinite(limit) ? { Limit: limit - events.length } : {}),
        }),
      )
      for (const item of result.Items ?? []) events.push(toAuditEvent(item))
      startKey = result.LastEvaluatedKey
    } while (startKey && events.length < limit)
    return events
  }

  async loadCatalogue(): Promise<{ version: number; records: InstrumentRecord[] }> {
    // Read the version first: records read afterwards are at least that new, and any change
    // racing with the load is replayed later from the change log (replays are idempotent).
    const version = await this.catalogueVersion()
    const records: InstrumentRecord[] = []
    let startKey: Record<string, unknown> | undefined
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': PARTITIONS.catalogue },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      )
      for (const item of result.Items ?? []) records.push(toRecord(item))
      startKey = result.LastEvaluatedKey
    } while (startKey)
    return { version, records }
  }

  /** Strongly consistent BatchGet of any number of keys (100 per request, unprocessed keys retried). */
  private async batchGet(itemKeys: readonly Record<string, string>[]): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = []
    const unique = [...new Map(itemKeys.map((key) => [`${key.pk}\u0000${key.sk}`, key])).values()]
    for (let start = 0; start < unique.length; start += 100) {
      let pending: Record<string, unknown>[] | undefined = unique.slice(start, start + 100)
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 0) await sleep(backoffMs(attempt))
        const result = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        )
        items.push(...(result.Responses?.[this.tableName] ?? []))
        pending = result.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined
      }
    }
    return items
  }

  private async requireLive(id: string): Promise<InstrumentRecord> {
    const current = await this.get(id)
    if (current) return current
    const archived = await this.getArchived(id)
    if (archived) throw new InstrumentGone(id, archived.reason)
    throw new InstrumentNotFound(id)
  }

  private claimExternalId(record: InstrumentRecord): GuardedWrite[] {
    if (!record.externalId) return []
    const externalId = record.externalId
    return [
      {
        item: {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.external(externalId), id: record.id },
            ConditionExpression: 'attribute_not_exists(pk) OR id = :id',
            ExpressionAttributeValues: { ':id': record.id },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        onConditionFailed: (old) => new DuplicateExternalId(externalId, old?.id?.S),
      },
    ]
  }

  private releaseExternalId(record: InstrumentRecord): GuardedWrite[] {
    if (!record.externalId) return []
    return [
      {
        item: {
          Delete: {
            TableName: this.tableName,
            Key: keys.external(record.externalId),
            ConditionExpression: 'attribute_not_exists(pk) OR id = :id',
            ExpressionAttributeValues: { ':id': record.id },
          },
        },
        onConditionFailed: () => new DuplicateExternalId(record.externalId ?? ''),
      },
    ]
  }

  /**
   * Applies the writes, bumps the catalogue version and appends one audit event per change, all in
   * one transaction: the change, its audit trail and the signal to search instances can never
   * disagree. Writers race on the version item; a loser re-reads it and tries again, unless its own
   * condition failed, which is reported as the write's domain error.
   */
  private async commit(writes: GuardedWrite[], events: NewEvent[], now: Date): Promise<number> {
    const at = now.toISOString()
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt))
      const current = await this.catalogueVersion()
      const next = current + events.length
      const transactItems: NonNullable<TransactWriteCommandInput['TransactItems']> = [
        ...writes.map((write) => write.item),
        {
          Update: {
            TableName: this.tableName,
            Key: keys.catalogueVersion(),
            UpdateExpression: 'SET version = :next, updatedAt = :at',
            ConditionExpression: 'attribute_not_exists(pk) OR version = :current',
            ExpressionAttributeValues: { ':next': next, ':current': current, ':at': at },
          },
        },
        ...events.map((event, index) => ({
          Put: {
            TableName: this.tableName,
            Item: { ...keys.audit(current + 1 + index), seq: current + 1 + index, at, ...event },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        })),
      ]
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: transactItems }))
        return next
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error
        const reasons = error.CancellationReasons ?? []
        const failed = writes.findIndex((_, index) => reasons[index]?.Code === 'ConditionalCheckFailed')
        if (failed >= 0) {
          const write = writes[failed] as GuardedWrite
          throw write.onConditionFailed(
            reasons[failed]?.Item as Record<string, { N?: string; S?: string }> | undefined,
          )
        }
        const retryable = reasons.every((reason) =>
          ['None', 'ConditionalCheckFailed', 'TransactionConflict', 'ThrottlingError', undefined].includes(
            reason.Code,
          ),
        )
        if (!retryable) throw error
      }
    }
    throw new WriteContention('The catalogue is busy; too many concurrent writes. Try again.')
  }

  private async queryPage(
    input: QueryCommandInput,
    options: { limit: number; cursor?: string | undefined },
    expectedKey: Record<string, string>,
  ): Promise<Page<Record<string, unknown>>> {
    const items: Record<string, unknown>[] = []
    let startKey = options.cursor ? decodeCursor(options.cursor, expectedKey) : undefined
    // A filter applies after Limit, so keep reading until the page is full or the index is done.
    do {
      const result = await this.client.send(
        new QueryCommand({ ...input, Limit: options.limit - items.length, ExclusiveStartKey: startKey }),
      )
      items.push(...(result.Items ?? []))
      startKey = result.LastEvaluatedKey
    } while (startKey && items.length < options.limit)
    return { items, nextCursor: startKey ? encodeCursor(startKey) : undefined }
  }
}

/** A live instrument as the table stores it: the record under its key, plus `expiresAt` for the expiry index. */
export function liveItemOf(record: InstrumentRecord): Record<string, unknown> {
  return { ...keys.live(record.id), ...record, expiresAt: expiresAt(record) }
}

function toRecord(item: Record<string, unknown>): InstrumentRecord {
  const record: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(item)) if (!INTERNAL_ATTRIBUTES.has(key)) record[key] = value
  return record as unknown as InstrumentRecord
}

function toArchived(item: Record<string, unknown>): ArchivedInstrument {
  return {
    instrument: item.instrument as InstrumentRecord,
    archivedAt: item.archivedAt as string,
    reason: item.reason as ArchiveReason,
    archivedBy: item.archivedBy as string,
    purgeAfter: item.purgeAfter as string,
  }
}

function toAuditEvent(item: Record<string, unknown>): AuditEvent {
  return {
    seq: item.seq as number,
    at: item.at as string,
    actor: item.actor as string,
    action: item.action as AuditAction,
    instrumentId: item.instrumentId as string,
    instrumentVersion: item.instrumentVersion as number,
  }
}

function backoffMs(attempt: number): number {
  return Math.min(200, 5 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random())
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
