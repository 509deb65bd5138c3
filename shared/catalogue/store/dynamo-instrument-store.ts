import { type DynamoDBDocumentClient, GetCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb'
import { ulid } from 'ulid'
import { decodeCursor, encodeCursor, InvalidCursor } from '../../platform/cursor'
import {
  batchGet,
  type Item,
  type PageRequest,
  queryAll,
  queryFirst,
  queryPage,
} from '../../platform/dynamodb'
import { auditSortKey, INDEX, keys, PARTITIONS } from '../../platform/table'
import {
  BusinessRuleViolation,
  DuplicateExternalId,
  InstrumentAlreadyLive,
  InstrumentGone,
  InstrumentNotFound,
  VersionConflict,
} from '../errors'
import { type InstrumentContent, type InstrumentRecord, isExpired } from '../instrument'
import {
  type BatchChange,
  CatalogueTransactions,
  COMMIT_RETRY,
  type CommitRetryPolicy,
  type GuardedWrite,
  type StoredAttributes,
} from './catalogue-transaction'
import type {
  ArchivedInstrument,
  ArchiveOptions,
  ArchiveReason,
  AuditAction,
  AuditEvent,
  ChangeOutcome,
  InstrumentChange,
  InstrumentStore,
  Page,
  RestoreOptions,
  ReviewQueueOptions,
} from './instrument-store'
import { archivedItemOf, liveItemOf, toArchived, toAuditEvent, toRecord } from './items'

/**
 * The DynamoDB adapter of `InstrumentStore`: one small query per access pattern, and for each write
 * the guarded writes that make it, committed by the catalogue transaction engine.
 */
export class DynamoInstrumentStore implements InstrumentStore {
  private readonly transactions: CatalogueTransactions

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly archiveRetentionDays = 365,
    commitRetry: CommitRetryPolicy = COMMIT_RETRY,
  ) {
    this.transactions = new CatalogueTransactions(client, tableName, commitRetry)
  }

  async create(input: InstrumentContent, actor: string, now: Date): Promise<InstrumentRecord> {
    return this.commitOne({ action: 'create', input }, actor, now)
  }

  async writeMany(
    changes: readonly InstrumentChange[],
    actor: string,
    now: Date,
    onCommitted?: (done: number) => void,
  ): Promise<ChangeOutcome[]> {
    const planned = changes.map((change): BatchChange => {
      const { record, writes, event } = this.planWrites(change, actor, now)
      const touches = [`live:${record.id}`]
      for (const externalId of [
        record.externalId,
        change.action === 'replace' ? change.current.externalId : undefined,
      ])
        if (externalId) touches.push(`external:${externalId}`)
      return { record, writes, event, touches }
    })
    return this.transactions.commitEach(planned, now, onCommitted)
  }

  /** The record a change produces, the guarded writes that store it and its audit event. */
  private planWrites(change: InstrumentChange, actor: string, now: Date): Omit<BatchChange, 'touches'> {
    const at = now.toISOString()
    const record: InstrumentRecord =
      change.action === 'create'
        ? {
            ...change.input,
            id: change.id ?? ulid(now.getTime()).toLowerCase(),
            version: 1,
            createdAt: at,
            updatedAt: at,
            createdBy: actor,
            updatedBy: actor,
          }
        : {
            ...change.input,
            id: change.current.id,
            version: change.current.version + 1,
            createdAt: change.current.createdAt,
            createdBy: change.current.createdBy,
            updatedAt: at,
            updatedBy: actor,
          }
    const event = {
      actor,
      action: change.action === 'create' ? ('created' as const) : ('updated' as const),
      instrumentId: record.id,
      instrumentVersion: record.version,
    }
    if (change.action === 'create') {
      const writes: GuardedWrite[] = [
        this.putNewLive(record, () =>
          change.id ? new InstrumentAlreadyLive(record.id) : new Error(`Generated id collided: ${record.id}`),
        ),
        ...this.claimExternalId(record),
      ]
      return { record, writes, event }
    }
    const { current } = change
    const { condition, onConditionFailed } = atVersion(current.id, current.version)
    const writes: GuardedWrite[] = [
      {
        item: { Put: { TableName: this.tableName, Item: liveItemOf(record), ...condition } },
        onConditionFailed,
      },
    ]
    if (current.externalId !== record.externalId) {
      writes.push(...this.releaseExternalId(current), ...this.claimExternalId(record))
    }
    return { record, writes, event }
  }

  async get(id: string): Promise<InstrumentRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.live(id), ConsistentRead: true }),
    )
    return Item ? toRecord(Item) : undefined
  }

  async getMany(ids: readonly string[]): Promise<InstrumentRecord[]> {
    const items = await batchGet(
      this.client,
      this.tableName,
      ids.map((id) => keys.live(id)),
    )
    return items.map(toRecord)
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
    const claims = await batchGet(
      this.client,
      this.tableName,
      externalIds.map((externalId) => keys.external(externalId)),
    )
    return new Map(claims.map((claim) => [claim.sk as string, claim.id as string]))
  }

  async replace(
    id: string,
    input: InstrumentContent,
    expectedVersion: number,
    actor: string,
    now: Date,
    given?: InstrumentRecord,
  ): Promise<InstrumentRecord> {
    // A stale `given` is harmless: the write is conditioned on the version either way.
    const current = given ?? (await this.requireLive(id))
    if (current.version !== expectedVersion) throw new VersionConflict(id, expectedVersion, current.version)
    return this.commitOne({ action: 'replace', input, current }, actor, now)
  }

  /** One create or replace, planned exactly as `writeMany` plans each of its changes. */
  private async commitOne(change: InstrumentChange, actor: string, now: Date): Promise<InstrumentRecord> {
    const { record, writes, event } = this.planWrites(change, actor, now)
    await this.transactions.commit(writes, [event], now)
    return record
  }

  async archive(id: string, options: ArchiveOptions): Promise<ArchivedInstrument> {
    const current = options.current ?? (await this.requireLive(id))
    if (current.version !== options.expectedVersion) {
      throw new VersionConflict(id, options.expectedVersion, current.version)
    }
    const purgeAtMs = options.now.getTime() + this.archiveRetentionDays * 86_400_000
    const archived: ArchivedInstrument = {
      instrument: current,
      archivedAt: options.now.toISOString(),
      reason: options.reason,
      archivedBy: options.actor,
      purgeAfter: new Date(purgeAtMs).toISOString(),
    }
    const { condition, onConditionFailed } = atVersion(id, options.expectedVersion)
    const writes: GuardedWrite[] = [
      {
        item: { Delete: { TableName: this.tableName, Key: keys.live(id), ...condition } },
        onConditionFailed,
      },
      {
        item: { Put: { TableName: this.tableName, Item: archivedItemOf(archived) } },
        onConditionFailed: () => new Error('unconditional put failed'),
      },
      ...this.releaseExternalId(current),
    ]
    // The audit action names why it left the catalogue: each archive reason is also an action.
    const action: AuditAction = options.reason
    await this.transactions.commit(
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
      // Another restore of the same instrument won the race.
      this.putNewLive(record, () => new InstrumentAlreadyLive(id)),
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
    await this.transactions.commit(
      writes,
      [{ actor: options.actor, action: 'restored', instrumentId: id, instrumentVersion: record.version }],
      options.now,
    )
    return record
  }

  async listArchive(
    options: PageRequest & { reason?: ArchiveReason | undefined },
  ): Promise<Page<ArchivedInstrument>> {
    const page = await queryPage(
      this.client,
      {
        TableName: this.tableName,
        IndexName: INDEX.archiveByTime,
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

  async listAudit(options: PageRequest & { instrumentId?: string | undefined }): Promise<Page<AuditEvent>> {
    const input: QueryCommandInput = options.instrumentId
      ? {
          TableName: this.tableName,
          IndexName: INDEX.auditByInstrument,
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
    const page = await queryPage(
      this.client,
      input,
      options,
      options.instrumentId ? { instrumentId: options.instrumentId } : { pk: PARTITIONS.audit },
    )
    return { items: page.items.map(toAuditEvent), nextCursor: page.nextCursor }
  }

  async listReviewQueue(options: ReviewQueueOptions): Promise<Page<InstrumentRecord>> {
    const countries = options.countries === undefined ? undefined : [...new Set(options.countries)].sort()
    const scope = countries === undefined ? 'all' : countries.join(',')
    const after = options.cursor ? reviewCursorPosition(options.cursor, scope) : undefined
    const partitions =
      countries === undefined
        ? [{ index: INDEX.reviewQueue, attribute: 'reviewQueue', value: PARTITIONS.review }]
        : countries.map((country) => ({
            index: INDEX.reviewQueueByCountry,
            attribute: 'reviewCountry',
            value: country,
          }))
    // Each partition's next `limit + 1` items: enough to fill the page from any mix of them, and
    // to know whether anything follows it. Merged by the sort key, which is unique, so the last
    // item shown is an exact position to continue after.
    const heads = await Promise.all(
      partitions.map((partition) =>
        queryFirst(
          this.client,
          {
            TableName: this.tableName,
            IndexName: partition.index,
            KeyConditionExpression: `#partition = :partition${after ? ' AND reviewSince > :after' : ''}`,
            ExpressionAttributeNames: { '#partition': partition.attribute },
            ExpressionAttributeValues: {
              ':partition': partition.value,
              ...(after ? { ':after': after } : {}),
            },
          },
          options.limit + 1,
        ),
      ),
    )
    const sinceOf = (item: Item) => item.reviewSince as string
    const merged = heads
      .flat()
      .sort((a, b) => (sinceOf(a) < sinceOf(b) ? -1 : sinceOf(a) > sinceOf(b) ? 1 : 0))
    const page = merged.slice(0, options.limit)
    const last = page.at(-1)
    return {
      items: page.map(toRecord),
      nextCursor:
        merged.length > options.limit && last ? encodeCursor({ scope, after: sinceOf(last) }) : undefined,
    }
  }

  async listExpiredBy(at: number, options: PageRequest): Promise<Page<InstrumentRecord>> {
    const page = await queryPage(
      this.client,
      {
        TableName: this.tableName,
        IndexName: INDEX.liveByExpiry,
        KeyConditionExpression: 'pk = :pk AND expiresAt <= :at',
        ExpressionAttributeValues: { ':pk': PARTITIONS.catalogue, ':at': at },
      },
      options,
      { pk: PARTITIONS.catalogue },
    )
    return { items: page.items.map(toRecord), nextCursor: page.nextCursor }
  }

  async catalogueVersion(): Promise<number> {
    return this.transactions.version()
  }

  async changesSince(version: number, options: { limit?: number } = {}): Promise<AuditEvent[]> {
    const input = {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk > :after',
      ExpressionAttributeValues: { ':pk': PARTITIONS.audit, ':after': auditSortKey(version) },
      ConsistentRead: true,
    }
    const items =
      options.limit === undefined
        ? await queryAll(this.client, input)
        : await queryFirst(this.client, input, options.limit)
    return items.map(toAuditEvent)
  }

  async loadCatalogue(): Promise<{ version: number; records: InstrumentRecord[] }> {
    // Read the version first: records read afterwards are at least that new, and any change
    // racing with the load is replayed later from the change log (replays are idempotent).
    const version = await this.catalogueVersion()
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': PARTITIONS.catalogue },
      ConsistentRead: true,
    })
    return { version, records: items.map(toRecord) }
  }

  private async requireLive(id: string): Promise<InstrumentRecord> {
    const current = await this.get(id)
    if (current) return current
    const archived = await this.getArchived(id)
    if (archived) throw new InstrumentGone(id, archived.reason)
    throw new InstrumentNotFound(id)
  }

  /** Puts a live item that must not exist yet; `onConditionFailed` says what it existing means. */
  private putNewLive(record: InstrumentRecord, onConditionFailed: () => Error): GuardedWrite {
    return {
      item: {
        Put: {
          TableName: this.tableName,
          Item: liveItemOf(record),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      onConditionFailed,
    }
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
}

/** Where a review-queue cursor continues: after this sort key, for the same countries only. */
function reviewCursorPosition(cursor: string, scope: string): string {
  const { after } = decodeCursor(cursor, { scope })
  if (typeof after !== 'string' || after.length > 200) throw new InvalidCursor()
  return after
}

/**
 * The condition of a put or delete of a live item at the version the caller saw, and what its
 * failure means: a `VersionConflict` (someone saved first), or `InstrumentNotFound` when it is gone.
 */
function atVersion(id: string, expectedVersion: number) {
  return {
    condition: {
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': expectedVersion },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
    onConditionFailed: (old: StoredAttributes | undefined) =>
      old ? new VersionConflict(id, expectedVersion, Number(old.version?.N)) : new InstrumentNotFound(id),
  }
}
