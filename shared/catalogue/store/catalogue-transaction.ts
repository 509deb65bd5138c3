import { setTimeout as sleep } from 'node:timers/promises'
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import {
  type DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb'
import { backoffMs } from '../../platform/dynamodb'
import { keys } from '../../platform/table'
import { WriteContention } from '../errors'
import type { InstrumentRecord } from '../instrument'
import type { AuditAction, ChangeOutcome } from './instrument-store'
import { auditItemOf } from './items'

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number]

/** An item as DynamoDB returns it with a failed condition (`ReturnValuesOnConditionCheckFailure`). */
export type StoredAttributes = Record<string, { N?: string; S?: string }>

/** One write of a transaction, and the domain error that its condition failing means. */
export interface GuardedWrite {
  item: TransactItem
  /** `old` is the item as stored when the write asked for it (`ReturnValuesOnConditionCheckFailure`). */
  onConditionFailed: (old: StoredAttributes | undefined) => Error
}

/** The audit event of one change; its `seq` and `at` are given when it commits. */
export interface NewEvent {
  actor: string
  action: AuditAction
  instrumentId: string
  instrumentVersion: number
}

/** One change of a batch: the record it writes, its guarded writes and its audit event. */
export interface BatchChange {
  record: InstrumentRecord
  writes: GuardedWrite[]
  event: NewEvent
  /** Items the writes touch (any stable names); one transaction may not touch an item twice. */
  touches: string[]
}

/**
 * How a commit retries. This engine is the one layer that retries catalogue writes: callers (the
 * API, imports, the expiry job) do not, and the SDK never re-sends a cancelled transaction.
 */
export interface CommitRetryPolicy {
  /** Transactions tried per commit, the first included; then `WriteContention`. */
  maxAttempts: number
  /** Wait before retry number `attempt` (1, 2, ...). */
  delayMs: (attempt: number) => number
}

/**
 * At most 25 transactions per commit, about 4 s of backoff in all (./dynamodb.ts `backoffMs`):
 * enough for a burst of editors and the expiry job racing on the catalogue-version item.
 */
export const COMMIT_RETRY: CommitRetryPolicy = { maxAttempts: 25, delayMs: backoffMs }

/** DynamoDB allows 100 items per transaction; one is the catalogue version item. */
const MAX_TRANSACTION_ITEMS = 100
/** DynamoDB allows 4 MB per transaction; stay well below it (attribute names and overhead count too). */
const MAX_TRANSACTION_BYTES = 3 * 1024 * 1024

/** Cancellation reasons that say "try again": lost a race, or throttled; never a write's own condition. */
const RETRYABLE_REASONS = new Set([
  'None',
  'ConditionalCheckFailed',
  'TransactionConflict',
  'ThrottlingError',
])

/** A batch change's own condition failed; carries which change, so the rest can be retried without it. */
class ChangeRefused extends Error {
  constructor(
    readonly changeIndex: number,
    readonly reason: Error,
  ) {
    super(reason.message)
  }
}

/**
 * The catalogue's one write path. Every change commits with a bump of the catalogue version and
 * one audit event per change in the same transaction: the change, its audit trail and the signal
 * to search instances can never disagree.
 */
export class CatalogueTransactions {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retry: CommitRetryPolicy = COMMIT_RETRY,
  ) {}

  /** The catalogue version: how many changes the catalogue has seen (0 before the first). */
  async version(): Promise<number> {
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

  /**
   * Applies the writes, bumps the catalogue version and appends the events in one transaction, and
   * returns the new version. Writers race on the version item: a loser (or a throttled transaction)
   * re-reads it and tries again, at most `retry.maxAttempts` transactions, then `WriteContention`.
   * A write whose own condition fails ends the commit at once with that write's domain error.
   */
  async commit(writes: readonly GuardedWrite[], events: readonly NewEvent[], now: Date): Promise<number> {
    const at = now.toISOString()
    for (let attempt = 0; attempt < this.retry.maxAttempts; attempt++) {
      if (attempt > 0) await sleep(this.retry.delayMs(attempt))
      const current = await this.version()
      const next = current + events.length
      const transactItems: TransactItem[] = [
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
            Item: auditItemOf({ seq: current + 1 + index, at, ...event }),
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
          throw write.onConditionFailed(reasons[failed]?.Item as StoredAttributes | undefined)
        }
        if (!reasons.every((reason) => reason.Code === undefined || RETRYABLE_REASONS.has(reason.Code))) {
          throw error
        }
      }
    }
    throw new WriteContention('The catalogue is busy; too many concurrent writes. Try again.')
  }

  /**
   * Commits many changes in as few transactions as DynamoDB's limits allow (greedy, in order). A
   * change whose own condition fails gets that error as its outcome, and the rest of its
   * transaction is committed without it. `onCommitted` is told after each transaction, with how
   * many changes are done so far.
   */
  async commitEach(
    changes: readonly BatchChange[],
    now: Date,
    onCommitted?: (done: number) => void,
  ): Promise<ChangeOutcome[]> {
    const outcomes: ChangeOutcome[] = new Array(changes.length)
    const planned = changes.map((change, index) => ({
      ...change,
      index,
      // In a batch, a refused condition names the change it belongs to, so the others can go on.
      writes: change.writes.map((write) => ({
        ...write,
        onConditionFailed: (old: StoredAttributes | undefined) =>
          new ChangeRefused(index, write.onConditionFailed(old)),
      })),
      bytes: Buffer.byteLength(JSON.stringify(change.record)) * 2 + 1024,
    }))
    type Planned = (typeof planned)[number]
    let done = 0
    const commitBatch = async (batch: Planned[]) => {
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

    // A transaction may not touch one item twice (say, one row releasing an externalId that the
    // next claims), so that starts a new one, as do the item and size limits.
    let batch: Planned[] = []
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
}
