import { describe, expect, it } from 'vitest'
import { subscriptionContext } from './support'

// DEFAULT_NOW is 2026-11-22T10:00:00Z: 14 hours before the UTC day's window ends, an hour before the hour's.
const SECONDS_TO_MIDNIGHT = 14 * 3600
const SECONDS_TO_NEXT_HOUR = 3600

describe('rate limits', () => {
  it('sends an address at most 3 confirmation requests a day, then answers 429 with Retry-After', async () => {
    const t = await subscriptionContext()
    const queries = ['features=T1', 'features=T2', 'features=T3', 'features=T4']
    const statuses: number[] = []
    for (const [index, query] of queries.entries()) {
      // From different clients: the per-address limit holds whoever asks.
      const response = await t.requestFrom(`203.0.113.${index}`, 'POST', '/v1/subscriptions', {
        email: 'target@example.org',
        query,
        frequency: 'daily',
      })
      statuses.push(response.status)
      if (response.status === 429) {
        expect(response.headers.get('retry-after')).toBe(String(SECONDS_TO_MIDNIGHT))
        expect(response.headers.get('content-type')).toContain('application/problem+json')
        expect(response.json).toMatchObject({ status: 429, title: 'Too many requests' })
        expect(response.json.detail).toContain('3 confirmation requests per address per day')
      }
    }
    expect(statuses).toEqual([202, 202, 202, 429])
    expect(await t.mail.waitFor(3)).toHaveLength(3)
    // Another address is not affected; the next day the address may ask again.
    const other = await t.requestFrom('203.0.113.9', 'POST', '/v1/subscriptions', {
      email: 'someone-else@example.org',
      query: 'features=T1',
      frequency: 'daily',
    })
    expect(other.status).toBe(202)
    t.clock.set('2026-11-23T00:00:01Z')
    const tomorrow = await t.requestFrom('203.0.113.10', 'POST', '/v1/subscriptions', {
      email: 'target@example.org',
      query: 'features=T5',
      frequency: 'daily',
    })
    expect(tomorrow.status).toBe(202)
  })

  it('counts every request against the limit, so a 429 tells nothing about whether the address subscribes', async () => {
    const t = await subscriptionContext()
    await t.subscribeConfirmed({ email: 'known@example.org', query: 'features=T1', frequency: 'daily' })
    const statuses = async (email: string, firstClient: number) => {
      const result: number[] = []
      for (let i = 0; i < 3; i++) {
        const response = await t.requestFrom(`198.51.100.${firstClient + i}`, 'POST', '/v1/subscriptions', {
          email,
          query: 'features=T1',
          frequency: 'daily',
        })
        result.push(response.status)
      }
      return result
    }
    // known@ used one of its 3 when it subscribed; an unknown address with one earlier request alike.
    await t.requestFrom('198.51.100.99', 'POST', '/v1/subscriptions', {
      email: 'unknown@example.org',
      query: 'features=T2',
      frequency: 'daily',
    })
    expect(await statuses('known@example.org', 10)).toEqual([202, 202, 429])
    expect(await statuses('unknown@example.org', 20)).toEqual([202, 202, 429])
  })

  it('allows a client 10 valid subscription requests an hour, then 429 with Retry-After; invalid ones are not counted', async () => {
    const t = await subscriptionContext()
    const results: number[] = []
    for (let i = 0; i < 16; i++) {
      const body =
        i % 3 === 2
          ? { email: 'broken', query: 'features=T1', frequency: 'daily' }
          : { email: `person${i}@example.org`, query: 'features=T1', frequency: 'daily' }
      const response = await t.requestFrom('192.0.2.50', 'POST', '/v1/subscriptions', body)
      results.push(response.status)
      if (response.status === 429) {
        expect(response.headers.get('retry-after')).toBe(String(SECONDS_TO_NEXT_HOUR))
        expect(response.json.detail).toContain('10 subscription requests per client per hour')
      }
    }
    // Ten 202s (the invalid ones, every third, are 400s and count nowhere), then 429s.
    expect(results).toEqual([202, 202, 400, 202, 202, 400, 202, 202, 400, 202, 202, 400, 202, 202, 400, 429])
    expect(await t.mail.waitFor(10)).toHaveLength(10)
    // A refused request counted nowhere: its address may still ask from elsewhere.
    const refusedAddressElsewhere = await t.requestFrom('192.0.2.51', 'POST', '/v1/subscriptions', {
      email: 'person15@example.org',
      query: 'features=T1',
      frequency: 'daily',
    })
    expect(refusedAddressElsewhere.status).toBe(202)
    t.clock.set('2026-11-22T11:00:00Z')
    const nextHour = await t.requestFrom('192.0.2.50', 'POST', '/v1/subscriptions', {
      email: 'person100@example.org',
      query: 'features=T1',
      frequency: 'daily',
    })
    expect(nextHour.status).toBe(202)
  })

  it('holds the limits under concurrency: of 8 simultaneous requests for one address, exactly 3 get through', async () => {
    const t = await subscriptionContext()
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.requestFrom(`203.0.113.${100 + i}`, 'POST', '/v1/subscriptions', {
          email: 'burst@example.org',
          query: `features=T${i + 1}`,
          frequency: 'weekly',
        }),
      ),
    )
    const statuses = responses.map((response) => response.status).sort()
    expect(statuses).toEqual([202, 202, 202, 429, 429, 429, 429, 429])
    expect(await t.mail.waitFor(3)).toHaveLength(3)
  })
})
