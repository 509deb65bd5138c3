import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb'
import { backoffMs } from '../platform/dynamodb'
import { subscriptionKeys } from '../platform/table'
import { RateLimited } from './errors'

/**
 * Fixed-window counters in the table, one item per key and window, removed by TTL once the window
 * is over. A request's hits on several counters (its client's and its address's) are one
 * transaction of conditional `ADD`s: all counted or none, so concurrent requests can never both take
 * the last slot, and a refused request counts nowhere.
 */
export interface RateLimit {
  /** For the 429's detail: "3 confirmation requests per address per day". */
  name: string
  limit: number
  windowMs: number
}

export const SUBSCRIPTION_RATE_LIMITS = {
  /** Confirmation emails one address can be sent; an address cannot be flooded through the form. */
  perAddress: { name: '3 confirmation requests per address per day', limit: 3, windowMs: 86_400_000 },
  /** Subscription requests one client (IP address) can make. */
  perClient: { name: '10 subscription requests per client per hour', limit: 10, windowMs: 3_600_000 },
} as const satisfies Record<string, RateLimit>

const MAX_ATTEMPTS = 10

export interface RateLimitHit {
  /** The counter's partition: an address's or a client's (see `subscriptionKeys`). */
  partition: string
  rule: RateLimit
}

export class RateLimiter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Counts the hits together; throws `RateLimited` (naming the limit that waits longest) past any. */
  async hit(hits: readonly RateLimitHit[], now: Date): Promise<void> {
    const windows = hits.map(({ partition, rule }) => {
      const start = Math.floor(now.getTime() / rule.windowMs) * rule.windowMs
      return { partition, rule, start, end: start + rule.windowMs }
    })
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: windows.map(({ partition, rule, start, end }) => ({
              Update: {
                TableName: this.tableName,
                Key: subscriptionKeys.rateCounter(partition, `${rule.windowMs}#${start}`),
                UpdateExpression: 'SET #ttl = if_not_exists(#ttl, :ttl) ADD hits :one',
                ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
                ExpressionAttributeNames: { '#ttl': 'ttl' },
                ExpressionAttributeValues: {
                  ':one': 1,
                  ':limit': rule.limit,
                  ':ttl': Math.ceil(end / 1000) + 3600,
                },
              },
            })),
          }),
        )
        return
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error
        const reasons = error.CancellationReasons ?? []
        const exceeded = windows.filter((_, index) => reasons[index]?.Code === 'ConditionalCheckFailed')
        if (exceeded.length > 0) {
          const longest = exceeded.reduce((a, b) => (b.end > a.end ? b : a))
          throw new RateLimited(
            longest.rule.name,
            Math.max(1, Math.ceil((longest.end - now.getTime()) / 1000)),
          )
        }
        // Concurrent requests on the same counter cancel each other's transactions: try again.
        const conflict = reasons.some((reason) => reason.Code === 'TransactionConflict')
        if (!conflict || attempt >= MAX_ATTEMPTS) throw error
        await sleep(backoffMs(attempt))
      }
    }
  }
}

/** A client's counter partition: a hash of its network address, never the address itself. */
export function clientPartition(clientAddress: string): string {
  return subscriptionKeys.client(
    createHash('sha256').update(`client\u0000${clientAddress}`).digest('base64url'),
  )
}
