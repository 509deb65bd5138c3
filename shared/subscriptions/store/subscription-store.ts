import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb'
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb'
import {
  batchGet,
  type Item,
  type ItemKey,
  isTransactionConditionFailure,
  queryItems,
} from '../../platform/dynamodb'
import { INDEX, projectWatchPrefix, SUBSCRIPTION_SHARDS, subscriptionKeys } from '../../platform/table'
import {
  type Frequency,
  isConfirmedWatchOf,
  newWatchId,
  type SubscriptionRecord,
  type SubscriptionSubject,
} from '../subscription'
import type { TokenPurpose } from '../tokens'

/** What confirming stores: when, the first due time, and the digest state to start from. */
export interface ConfirmChange extends Pick<DigestState, 'watermark' | 'known' | 'matchedBy'> {
  confirmedAt: string
  dueAt: number
  nowSeconds: number
}

/** What the digest job remembers per subscription between digests (the `DIGEST` item). */
export interface DigestState {
  /** The catalogue version (change-log seq) the last digest, or the confirmation, had seen. */
  watermark: number
  /**
   * Instruments the subscriber already knows of, oldest first: those that matched when the
   * subscription was confirmed (the search they had just seen) and those announced since. Only
   * live instruments are kept, at most `MAX_KNOWN`.
   */
  known: string[]
  /**
   * Instruments already reminded as closing soon: id -> the instant (ms) the reminded closing passes
   * (the deadline's, or a cut-off's for a call that closes more than once).
   */
  reminded: Record<string, number>
  /**
   * `criteriaFingerprint` of what `known` was matched by. When the subscription's criteria differ
   * from it (a watched project changed), the next digest compares the whole catalogue with `known`.
   * Absent in states saved before it existed: those take the current criteria as they are.
   */
  matchedBy?: string | undefined
}

/** What SES reported of an address that is then never mailed again. */
export type SuppressionReason = 'bounce' | 'complaint'

/** Why and since when an address is never mailed. */
export interface Suppression {
  reason: SuppressionReason
  /** ISO 8601 instant. */
  at: string
}

export const ACTIVITY_COUNTERS = [
  'requested',
  'confirmed',
  'unsubscribed',
  'suppressed',
  'digestsSent',
  'endedNotes',
] as const
export type ActivityCounter = (typeof ACTIVITY_COUNTERS)[number]
export type ActivityCounts = Record<ActivityCounter, number>

export interface ConfirmedCounts {
  total: number
  daily: number
  weekly: number
  searches: number
  projects: number
}

/** A confirmed project watch: the subscription, and the random id its organisation knows it by. */
export interface ProjectWatchRecord {
  watchId: string
  record: SubscriptionRecord
}

/** A claim that can be undone when the digest could not be sent (see `releaseClaim`). */
export interface Claim {
  record: SubscriptionRecord
  period: string
  claimedAt: string
  previous: { lastPeriod?: string | undefined; dueAt: number }
}

/** Every access pattern on subscriptions, behind one interface (the DynamoDB adapter below). */
export interface SubscriptionStore {
  /** Strongly consistent read of a subscription (pending ones past their TTL included: check `ttl`). */
  get(id: string): Promise<SubscriptionRecord | undefined>
  /**
   * Saves a pending request with its confirmation token in one transaction, replacing an earlier
   * pending request for the same subject; never touches a confirmed subscription.
   */
  savePending(record: SubscriptionRecord, confirmTokenHash: string): Promise<'saved' | 'already-confirmed'>
  /** Adds a link token of a live subscription (false when the subscription is gone). */
  addToken(id: string, tokenHash: string, purpose: TokenPurpose, expiresAtSeconds: number): Promise<boolean>
  findToken(id: string, tokenHash: string): Promise<{ purpose: TokenPurpose; ttl: number } | undefined>
  /** Pending -> confirmed, with the first due time and the digest bookkeeping, in one transaction. */
  confirm(id: string, change: ConfirmChange): Promise<'confirmed' | 'already-confirmed' | 'gone'>
  /** Deletes the subscription and everything kept for it; false when there was nothing. */
  delete(id: string): Promise<boolean>
  /**
   * The confirmed watches of one project of `org`, oldest request first, found through their links
   * in the organisation's partition, each with its link's `watchId`. A pending request is not a
   * watch yet (nothing is sent for it), and is not listed.
   */
  projectWatches(org: string, projectId: string): Promise<ProjectWatchRecord[]>
  /**
   * Writes a confirmed project watch's link if it has none (a watch confirmed before links existed),
   * keeping the one it has: what lets its organisation list and end it. Nothing for a saved search,
   * nor for a watch that has ended or is not confirmed (meanwhile, say), and no write when the link
   * is there.
   */
  ensureProjectWatchLink(record: SubscriptionRecord): Promise<void>
  /** The subscription id of the watch of one project of `org` whose link has this `watchId`, if any. */
  findProjectWatch(org: string, projectId: string, watchId: string): Promise<string | undefined>
  /**
   * Moves a confirmed subscription to another frequency, due next at `dueAt` (its due-index shard
   * moves with it); false when it is not, or no longer, confirmed.
   */
  changeFrequency(id: string, frequency: Frequency, dueAt: number): Promise<boolean>
  /** Ids of the subscriptions of an address (pending ones included). */
  idsByAddress(addressHash: string): Promise<string[]>
  isSuppressed(addressHash: string): Promise<boolean>
  suppress(addressHash: string, reason: SuppressionReason, at: Date): Promise<void>
  /** Removes an address's suppression; what it was, or undefined when there was none. */
  liftSuppression(addressHash: string): Promise<Suppression | undefined>
  /** Confirmed subscriptions of one index shard whose digest is due at `at`, soonest first. */
  due(frequency: Frequency, shard: number, at: Date): AsyncGenerator<SubscriptionRecord>
  /**
   * Claims `period` for a due, confirmed subscription with one conditional write (and moves its
   * next due time on): of any number of concurrent claimants, exactly one gets the claim.
   */
  claim(id: string, period: string, nextDueAt: number, at: Date): Promise<Claim | undefined>
  /** Gives a claim back, so that a later run retries the period (only if nobody claimed since). */
  releaseClaim(claim: Claim): Promise<void>
  getDigestState(id: string): Promise<DigestState | undefined>
  /** Saves the bookkeeping after a digest, unless the subscription was deleted meanwhile. */
  saveDigestState(id: string, state: DigestState): Promise<void>
  countConfirmed(): Promise<ConfirmedCounts>
  recordActivity(day: string, counts: Partial<ActivityCounts>): Promise<void>
  activity(fromDay: string, toDay: string): Promise<({ day: string } & ActivityCounts)[]>
}

const ACTIVITY_RETENTION_SECONDS = 400 * 86_400
const TRANSACTION_LIMIT = 100

/**
 * How every write of a project watch's link after its request names its watch: a link keeps the
 * watch id it has (the one its organisation already knows), and one without gets a new one.
 */
const KEEP_WATCH_ID = 'watchId = if_not_exists(watchId, :watchId)'

export class DynamoSubscriptionStore implements SubscriptionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(id: string): Promise<SubscriptionRecord | undefined> {
    const item = await this.getItem(subscriptionKeys.subscription(id))
    return item ? toRecord(item) : undefined
  }

  async savePending(
    record: SubscriptionRecord,
    confirmTokenHash: string,
  ): Promise<'saved' | 'already-confirmed'> {
    const saved = await this.transactUnlessFirstConditionFails([
      {
        Put: {
          TableName: this.tableName,
          Item: { ...subscriptionKeys.subscription(record.id), ...record },
          ConditionExpression: 'attribute_not_exists(pk) OR #state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':pending': 'pending' },
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...subscriptionKeys.addressSubscription(record.addressHash, record.id),
            ttl: record.ttl,
          },
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...subscriptionKeys.token(record.id, confirmTokenHash),
            purpose: 'confirm',
            ttl: record.ttl,
          },
        },
      },
      // A new random watch id each time: until it is confirmed, nobody sees it.
      ...projectWatchLink(record).map((Key) => ({
        Put: {
          TableName: this.tableName,
          Item: { ...Key, subscriptionId: record.id, watchId: newWatchId(), ttl: record.ttl },
        },
      })),
    ])
    return saved ? 'saved' : 'already-confirmed'
  }

  async addToken(
    id: string,
    tokenHash: string,
    purpose: TokenPurpose,
    expiresAtSeconds: number,
  ): Promise<boolean> {
    return this.transactUnlessFirstConditionFails([
      {
        ConditionCheck: {
          TableName: this.tableName,
          Key: subscriptionKeys.subscription(id),
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...subscriptionKeys.token(id, tokenHash), purpose, ttl: expiresAtSeconds },
        },
      },
    ])
  }

  async findToken(id: string, tokenHash: string) {
    const item = await this.getItem(subscriptionKeys.token(id, tokenHash))
    return item ? { purpose: item.purpose as TokenPurpose, ttl: item.ttl as number } : undefined
  }

  async confirm(id: string, change: ConfirmChange): Promise<'confirmed' | 'already-confirmed' | 'gone'> {
    const current = await this.get(id)
    if (!current) return 'gone'
    if (current.state === 'confirmed') return 'already-confirmed'
    const digest: DigestState = {
      watermark: change.watermark,
      known: change.known,
      reminded: {},
      ...(change.matchedBy ? { matchedBy: change.matchedBy } : {}),
    }
    const confirmed = await this.transactUnlessFirstConditionFails([
      {
        Update: {
          TableName: this.tableName,
          Key: subscriptionKeys.subscription(id),
          UpdateExpression:
            'SET #state = :confirmed, confirmedAt = :at, dueShard = :shard, dueAt = :due REMOVE #ttl',
          ConditionExpression: '#state = :pending AND #ttl > :now',
          ExpressionAttributeNames: { '#state': 'state', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':confirmed': 'confirmed',
            ':pending': 'pending',
            ':at': change.confirmedAt,
            ':shard': subscriptionKeys.dueShard(current.frequency, shardOf(id)),
            ':due': change.dueAt,
            ':now': change.nowSeconds,
          },
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: subscriptionKeys.addressSubscription(current.addressHash, id),
          UpdateExpression: 'REMOVE #ttl',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: { ...subscriptionKeys.digest(id), ...digest },
        },
      },
      // The link keeps the watch id it was requested with; a request saved before links (or watch
      // ids) existed gets a complete link here, since the Update creates what is missing.
      ...projectWatchLink(current).map((Key) => ({
        Update: {
          TableName: this.tableName,
          Key,
          UpdateExpression: `SET subscriptionId = :id, ${KEEP_WATCH_ID} REMOVE #ttl`,
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':id': id, ':watchId': newWatchId() },
        },
      })),
    ])
    if (confirmed) return 'confirmed'
    const now = await this.get(id)
    return now?.state === 'confirmed' ? 'already-confirmed' : 'gone'
  }

  async changeFrequency(id: string, frequency: Frequency, dueAt: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: subscriptionKeys.subscription(id),
          UpdateExpression: 'SET frequency = :frequency, dueShard = :shard, dueAt = :due',
          ConditionExpression: '#state = :confirmed',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':frequency': frequency,
            ':shard': subscriptionKeys.dueShard(frequency, shardOf(id)),
            ':due': dueAt,
            ':confirmed': 'confirmed',
          },
        }),
      )
      return true
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false
      throw error
    }
  }

  async delete(id: string): Promise<boolean> {
    // The subscription item goes first: from then on no digest can claim it, whatever else remains.
    const { Attributes } = await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: subscriptionKeys.subscription(id),
        ReturnValues: 'ALL_OLD',
      }),
    )
    const itemKeys: ItemKey[] = []
    if (Attributes?.addressHash) {
      itemKeys.push(subscriptionKeys.addressSubscription(Attributes.addressHash as string, id))
    }
    if (Attributes) itemKeys.push(...projectWatchLink(toRecord(Attributes)))
    for await (const item of queryItems(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': subscriptionKeys.partition(id) },
      ProjectionExpression: 'pk, sk',
    })) {
      itemKeys.push({ pk: item.pk as string, sk: item.sk as string })
    }
    for (let start = 0; start < itemKeys.length; start += TRANSACTION_LIMIT) {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: itemKeys
            .slice(start, start + TRANSACTION_LIMIT)
            .map((Key) => ({ Delete: { TableName: this.tableName, Key } })),
        }),
      )
    }
    return Attributes !== undefined
  }

  async projectWatches(org: string, projectId: string): Promise<ProjectWatchRecord[]> {
    const links = new Map<string, { key: ItemKey; watchId: string | undefined }>()
    for await (const item of this.projectWatchLinks(org, projectId)) {
      links.set(item.subscriptionId as string, {
        key: { pk: item.pk as string, sk: item.sk as string },
        watchId: item.watchId as string | undefined,
      })
    }
    const items = await batchGet(
      this.client,
      this.tableName,
      [...links.keys()].map((id) => subscriptionKeys.subscription(id)),
    )
    // A link can outlive its subscription for a moment (the subscription item is deleted first) or,
    // for a pending one, until TTL removes both: only what is still there, confirmed, and still this
    // project's.
    const records = items
      .map(toRecord)
      .filter((record) => isConfirmedWatchOf(record, org, projectId))
      .sort((a, b) => a.consentAt.localeCompare(b.consentAt) || a.id.localeCompare(b.id))
    const watches: ProjectWatchRecord[] = []
    for (const record of records) {
      const link = links.get(record.id)
      if (!link) continue
      // Watches confirmed before watch ids existed get theirs once, on their first listing.
      const watchId = link.watchId ?? (await this.assignWatchId(link.key))
      if (watchId) watches.push({ watchId, record })
    }
    return watches
  }

  async findProjectWatch(org: string, projectId: string, watchId: string): Promise<string | undefined> {
    for await (const item of this.projectWatchLinks(org, projectId, watchId)) {
      return item.subscriptionId as string
    }
    return undefined
  }

  async ensureProjectWatchLink(record: SubscriptionRecord): Promise<void> {
    for (const Key of projectWatchLink(record)) {
      // Nearly every watch has its link (written with the request and the confirmation): a digest
      // run then reads half a unit per watch instead of writing one. An eventually consistent read
      // that misses a fresh link only leads to the write below, which keeps what is there.
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key, ProjectionExpression: 'pk' }),
      )
      if (Item) continue
      // Only while the watch is still confirmed: a link written after an unsubscribe deleted the
      // watch (and its link) would be left behind with nothing to delete it.
      await this.transactUnlessFirstConditionFails([
        {
          ConditionCheck: {
            TableName: this.tableName,
            Key: subscriptionKeys.subscription(record.id),
            ConditionExpression: '#state = :confirmed',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':confirmed': 'confirmed' },
          },
        },
        {
          Update: {
            TableName: this.tableName,
            Key,
            UpdateExpression: `SET subscriptionId = :id, ${KEEP_WATCH_ID}`,
            ExpressionAttributeValues: { ':id': record.id, ':watchId': newWatchId() },
          },
        },
      ])
    }
  }

  /** The watch links of one project (a project has few): all of them, or the one with `watchId`. */
  private projectWatchLinks(org: string, projectId: string, watchId?: string) {
    return queryItems(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ...(watchId ? { FilterExpression: 'watchId = :watchId' } : {}),
      ExpressionAttributeValues: {
        ':pk': subscriptionKeys.projectWatch(org, projectId, '').pk,
        ':prefix': projectWatchPrefix(projectId),
        ...(watchId ? { ':watchId': watchId } : {}),
      },
      ProjectionExpression: 'pk, sk, subscriptionId, watchId',
      ConsistentRead: true,
    })
  }

  /** Gives a link without a watch id one (the same to concurrent callers); undefined if it is gone. */
  private async assignWatchId(key: ItemKey): Promise<string | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `SET ${KEEP_WATCH_ID}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':watchId': newWatchId() },
          ReturnValues: 'ALL_NEW',
        }),
      )
      return Attributes?.watchId as string | undefined
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined
      throw error
    }
  }

  async idsByAddress(addressHash: string): Promise<string[]> {
    const ids: string[] = []
    for await (const item of queryItems(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': subscriptionKeys.address(addressHash), ':prefix': 'SUB#' },
      ConsistentRead: true,
    })) {
      ids.push((item.sk as string).slice('SUB#'.length))
    }
    return ids
  }

  async isSuppressed(addressHash: string): Promise<boolean> {
    return (await this.getItem(subscriptionKeys.suppressed(addressHash))) !== undefined
  }

  async suppress(addressHash: string, reason: SuppressionReason, at: Date): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...subscriptionKeys.suppressed(addressHash), reason, at: at.toISOString() },
      }),
    )
  }

  async liftSuppression(addressHash: string): Promise<Suppression | undefined> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: subscriptionKeys.suppressed(addressHash),
        ReturnValues: 'ALL_OLD',
      }),
    )
    return Attributes
      ? { reason: Attributes.reason as SuppressionReason, at: Attributes.at as string }
      : undefined
  }

  async *due(frequency: Frequency, shard: number, at: Date): AsyncGenerator<SubscriptionRecord> {
    for await (const item of queryItems(this.client, {
      TableName: this.tableName,
      IndexName: INDEX.subscriptionsDue,
      KeyConditionExpression: 'dueShard = :shard AND dueAt <= :at',
      ExpressionAttributeValues: {
        ':shard': subscriptionKeys.dueShard(frequency, shard),
        ':at': at.getTime(),
      },
      Limit: 100,
    })) {
      yield toRecord(item)
    }
  }

  async claim(id: string, period: string, nextDueAt: number, at: Date): Promise<Claim | undefined> {
    const claimedAt = at.toISOString()
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: subscriptionKeys.subscription(id),
          UpdateExpression: 'SET lastPeriod = :period, dueAt = :next, claimedAt = :claimedAt',
          ConditionExpression:
            '#state = :confirmed AND dueAt <= :at AND (attribute_not_exists(lastPeriod) OR lastPeriod < :period)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':period': period,
            ':next': nextDueAt,
            ':claimedAt': claimedAt,
            ':confirmed': 'confirmed',
            ':at': at.getTime(),
          },
          ReturnValues: 'ALL_OLD',
        }),
      )
      const before = toRecord(Attributes as Record<string, unknown>)
      return {
        record: { ...before, lastPeriod: period, dueAt: nextDueAt },
        period,
        claimedAt,
        previous: { lastPeriod: before.lastPeriod, dueAt: before.dueAt as number },
      }
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined
      throw error
    }
  }

  async releaseClaim(claim: Claim): Promise<void> {
    const restorePeriod = claim.previous.lastPeriod
      ? 'SET lastPeriod = :previousPeriod, dueAt = :previousDue REMOVE claimedAt'
      : 'SET dueAt = :previousDue REMOVE lastPeriod, claimedAt'
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: subscriptionKeys.subscription(claim.record.id),
          UpdateExpression: restorePeriod,
          ConditionExpression: 'lastPeriod = :period AND claimedAt = :claimedAt',
          ExpressionAttributeValues: {
            ':period': claim.period,
            ':claimedAt': claim.claimedAt,
            ':previousDue': claim.previous.dueAt,
            ...(claim.previous.lastPeriod ? { ':previousPeriod': claim.previous.lastPeriod } : {}),
          },
        }),
      )
    } catch (error) {
      // Unsubscribed or claimed again meanwhile: there is nothing to give back.
      if (!(error instanceof ConditionalCheckFailedException)) throw error
    }
  }

  async getDigestState(id: string): Promise<DigestState | undefined> {
    const item = await this.getItem(subscriptionKeys.digest(id))
    if (!item) return undefined
    return {
      watermark: item.watermark as number,
      known: (item.known as string[] | undefined) ?? [],
      reminded: (item.reminded as Record<string, number> | undefined) ?? {},
      matchedBy: item.matchedBy as string | undefined,
    }
  }

  async saveDigestState(id: string, state: DigestState): Promise<void> {
    try {
      // The item exists from the confirmation on and goes with the subscription: a subscription
      // deleted while its digest was being sent fails this condition and stays deleted.
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...subscriptionKeys.digest(id), ...state },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      )
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error
    }
  }

  async countConfirmed(): Promise<ConfirmedCounts> {
    const counts: ConfirmedCounts = { total: 0, daily: 0, weekly: 0, searches: 0, projects: 0 }
    const shards = (['daily', 'weekly'] as const).flatMap((frequency) =>
      Array.from({ length: SUBSCRIPTION_SHARDS }, (_, shard) => ({ frequency, shard })),
    )
    await Promise.all(
      shards.map(async ({ frequency, shard }) => {
        for await (const item of queryItems(this.client, {
          TableName: this.tableName,
          IndexName: INDEX.subscriptionsDue,
          KeyConditionExpression: 'dueShard = :shard',
          ExpressionAttributeValues: { ':shard': subscriptionKeys.dueShard(frequency, shard) },
          ProjectionExpression: '#subject.#kind',
          ExpressionAttributeNames: { '#subject': 'subject', '#kind': 'kind' },
        })) {
          counts.total += 1
          counts[frequency] += 1
          if ((item.subject as { kind?: string } | undefined)?.kind === 'project') counts.projects += 1
          else counts.searches += 1
        }
      }),
    )
    return counts
  }

  async recordActivity(day: string, counts: Partial<ActivityCounts>): Promise<void> {
    const entries = Object.entries(counts).filter(([, value]) => value && value > 0)
    if (entries.length === 0) return
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: subscriptionKeys.activity(day),
        UpdateExpression: `SET #ttl = if_not_exists(#ttl, :ttl) ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
        ExpressionAttributeNames: {
          '#ttl': 'ttl',
          ...Object.fromEntries(entries.map(([name], i) => [`#c${i}`, name])),
        },
        ExpressionAttributeValues: {
          ':ttl': Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + ACTIVITY_RETENTION_SECONDS,
          ...Object.fromEntries(entries.map(([, value], i) => [`:c${i}`, value])),
        },
      }),
    )
  }

  async activity(fromDay: string, toDay: string) {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': subscriptionKeys.activity(fromDay).pk,
          ':from': subscriptionKeys.activity(fromDay).sk,
          ':to': subscriptionKeys.activity(toDay).sk,
        },
      }),
    )
    return (Items ?? []).map((item) => ({
      day: (item.sk as string).slice('DAY#'.length),
      ...(Object.fromEntries(
        ACTIVITY_COUNTERS.map((name) => [name, (item[name] as number | undefined) ?? 0]),
      ) as ActivityCounts),
    }))
  }

  /** A strongly consistent read of one item. */
  private async getItem(key: ItemKey): Promise<Item | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    )
    return Item
  }

  /**
   * Runs the transaction; false when it was cancelled by its first item's condition (the state the
   * caller asks about: already confirmed, gone), which is an answer here, not an error.
   */
  private async transactUnlessFirstConditionFails(
    items: NonNullable<TransactWriteCommandInput['TransactItems']>,
  ): Promise<boolean> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }))
      return true
    } catch (error) {
      if (isTransactionConditionFailure(error, 0)) return false
      throw error
    }
  }
}

/** A subscription's shard of the due index: stable, and spread evenly by the id's own randomness. */
export function shardOf(id: string): number {
  let hash = 0
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0
  return hash % SUBSCRIPTION_SHARDS
}

/** The key of a project watch's link in its organisation's partition (none for a saved search). */
function projectWatchLink(record: Pick<SubscriptionRecord, 'id' | 'subject'>): ItemKey[] {
  const { subject } = record
  return subject?.kind === 'project'
    ? [subscriptionKeys.projectWatch(subject.org, subject.projectId, record.id)]
    : []
}

function toRecord(item: Record<string, unknown>): SubscriptionRecord {
  return {
    id: item.id as string,
    email: item.email as string,
    addressHash: item.addressHash as string,
    subject: item.subject as SubscriptionSubject,
    frequency: item.frequency as Frequency,
    state: item.state as SubscriptionRecord['state'],
    consentAt: item.consentAt as string,
    confirmedAt: item.confirmedAt as string | undefined,
    ttl: item.ttl as number | undefined,
    dueAt: item.dueAt as number | undefined,
    lastPeriod: item.lastPeriod as string | undefined,
  }
}
