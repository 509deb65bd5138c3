import { createHash } from 'node:crypto'
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { subscriptionKeys } from '../platform/table'
import { RateLimited } from './errors'

/**
 * Fixed-window counters in the table, one item per key and window, removed by TTL once the window
 * is over. A hit is one atomic conditional `ADD`: concurrent requests can never both take the last
 * slot, and a refused request does not count.
 */
export interface RateLimit {
  /** For the 429's detail: "3 confirmation emails per address per day". */
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

export class RateLimiter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Counts a hit on `partition` (an address's or a client's); throws `RateLimited` past the limit. */
  async hit(partition: string, rule: RateLimit, now: Date): Promise<void> {
    const windowStart = Math.floor(now.getTime() / rule.windowMs) * rule.windowMs
    const windowEnd = windowStart + rule.windowMs
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: subscriptionKeys.rateCounter(partition, `${rule.windowMs}#${windowStart}`),
          UpdateExpression: 'SET #ttl = if_not_exists(#ttl, :ttl) ADD hits :one',
          ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':limit': rule.limit,
            ':ttl': Math.ceil(windowEnd / 1000) + 3600,
          },
        }),
      )
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error
      throw new RateLimited(rule.name, Math.max(1, Math.ceil((windowEnd - now.getTime()) / 1000)))
    }
  }
}

/** A client's counter partition: a hash of its network address, never the address itself. */
export function clientPartition(clientAddress: string): string {
  return subscriptionKeys.client(
    createHash('sha256').update(`client\u0000${clientAddress}`).digest('base64url'),
  )
}
