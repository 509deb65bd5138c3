import { Metrics } from '@aws-lambda-powertools/metrics'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createDigestHandler } from '../../functions/send-digests/handler'
import { silentLogger } from '../../shared/platform/logger'
import { type SubscriptionContext, subscriptionContext } from './support'

const lambdaContext = { awsRequestId: 'test', getRemainingTimeInMillis: () => 600_000 }

function handlerFor(t: SubscriptionContext) {
  return createDigestHandler(() => ({
    ...t.deps,
    logger: silentLogger,
    metrics: new Metrics({ namespace: 'fundfinder', serviceName: 'fundfinder-digests' }),
  }))
}

/** The metrics the handler printed as CloudWatch EMF documents, as { name: value }. */
function emitted(write: ReturnType<typeof vi.spyOn>): Record<string, number> {
  const documents = write.mock.calls
    .map((call: unknown[]) => String(call[0]))
    .filter((line: string) => line.includes('"_aws"'))
    .map((line: string) => JSON.parse(line))
  for (const document of documents) {
    expect(document._aws.CloudWatchMetrics[0].Namespace).toBe('fundfinder')
    expect(document.service).toBe('fundfinder-digests')
  }
  return Object.assign(
    {},
    ...documents.map((document: any) =>
      Object.fromEntries(
        document._aws.CloudWatchMetrics[0].Metrics.map((m: any) => [m.Name, document[m.Name]]),
      ),
    ),
  )
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('the send-digests Lambda handler', () => {
  it("runs the schedule's frequency only, publishes DigestsSent / DigestsEmpty / DigestFailures", async () => {
    const t = await subscriptionContext()
    await t.subscribeConfirmed({ email: 'daily@example.org', query: 'features=T13', frequency: 'daily' })
    await t.subscribeConfirmed({ email: 'weekly@example.org', query: 'features=T13', frequency: 'weekly' })
    t.clock.set('2026-11-22T12:00:00Z')
    await t.createInstrument({ features: ['T13'] })
    t.clock.set('2026-11-23T06:00:00Z')
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const run = await handlerFor(t)({ frequency: 'daily' }, lambdaContext)
    const metrics = emitted(write)
    write.mockRestore()
    expect(run).toMatchObject({ due: 1, sent: 1, failed: 0, complete: true })
    expect(metrics).toEqual({ DigestsSent: 1, DigestsEmpty: 0, DigestFailures: 0 })
    expect(t.mail.to('weekly@example.org')).toHaveLength(1) // its confirmation only
    // The weekly schedule's invocation, and an operator's catch-up with `at`.
    expect(await handlerFor(t)({ frequency: 'weekly' }, lambdaContext)).toMatchObject({ due: 1, sent: 1 })
    expect(await handlerFor(t)({ at: '2026-11-23T07:00:00+01:00' }, lambdaContext)).toMatchObject({ due: 0 })
    await expect(handlerFor(t)({ frequency: 'hourly' }, lambdaContext)).rejects.toThrow(/Not a digest event/)
  })

  it('throws when a digest failed, so that Lambda retries it (the retry sends only what is still due)', async () => {
    const refusing = new Set<string>()
    const t = await subscriptionContext({ mail: { refuse: (address) => refusing.has(address) } })
    await t.subscribeConfirmed({ email: 'ok@example.org', query: 'features=T13', frequency: 'daily' })
    await t.subscribeConfirmed({ email: 'full@example.org', query: 'features=T13', frequency: 'daily' })
    t.clock.set('2026-11-22T12:00:00Z')
    await t.createInstrument({ features: ['T13'] })
    t.clock.set('2026-11-23T06:00:00Z')
    refusing.add('full@example.org')
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    await expect(handlerFor(t)({ frequency: 'daily' }, lambdaContext)).rejects.toThrow(
      /1 digest\(s\) could not be sent/,
    )
    const metrics = emitted(write)
    write.mockRestore()
    expect(metrics).toEqual({ DigestsSent: 1, DigestsEmpty: 0, DigestFailures: 1 })
    refusing.clear()
    const retry = await handlerFor(t)({ frequency: 'daily' }, lambdaContext)
    expect(retry).toMatchObject({ due: 1, failed: 0 })
  })
})
