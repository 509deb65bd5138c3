import { Metrics } from '@aws-lambda-powertools/metrics'
import type { ScheduledEvent } from 'aws-lambda'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createExpiryHandler } from '../../functions/expire-instruments/handler'
import type { InstrumentStore } from '../../shared/catalogue/store/instrument-store'
import { silentLogger } from '../../shared/platform/logger'
import { createTestContext, type TestContext } from '../support/context'
import { instrumentInput } from '../support/factories'

const NOW = '2026-11-22T10:00:00.000Z'

const scheduledEvent: ScheduledEvent = {
  version: '0',
  id: 'c7f0b7c6-0000-4000-8000-000000000000',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: NOW,
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/expire-instruments'],
  detail: {},
}

const lambdaContext = { getRemainingTimeInMillis: () => 60_000 }

async function seedExpired(t: TestContext, count: number) {
  for (let index = 0; index < count; index++) {
    await t.store.create(
      instrumentInput({ deadline: '2026-11-01' }),
      'editor',
      new Date('2026-01-10T08:00:00Z'),
    )
  }
}

/** The CloudWatch EMF documents the handler printed, as { metricName: value }. */
function emittedMetrics(write: ReturnType<typeof vi.spyOn>): Record<string, number>[] {
  return write.mock.calls
    .map((call: unknown[]) => String(call[0]))
    .filter((line: string) => line.includes('"_aws"'))
    .map((line: string) => {
      const document = JSON.parse(line)
      const directive = document._aws.CloudWatchMetrics[0]
      expect(directive.Namespace).toBe('fundfinder')
      return Object.fromEntries(
        directive.Metrics.map((metric: { Name: string }) => [metric.Name, document[metric.Name]]),
      )
    })
}

afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

describe('the expire-instruments Lambda handler', () => {
  it('runs the job, publishes InstrumentsArchived, ExpiryFailures and the ExpirySucceeded heartbeat, and returns the summary', async () => {
    const t = await createTestContext({ now: NOW })
    await seedExpired(t, 3)
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const handler = createExpiryHandler(() => ({
      store: t.store,
      clock: t.clock,
      logger: silentLogger,
      metrics: new Metrics({ namespace: 'fundfinder', serviceName: 'fundfinder-expiry' }),
    }))
    const summary = await handler(scheduledEvent, lambdaContext)
    const metrics = emittedMetrics(write)
    write.mockRestore()
    expect(summary).toMatchObject({ scanned: 3, archived: 3, failed: 0, complete: true })
    expect(metrics).toEqual([{ InstrumentsArchived: 3, ExpiryFailures: 0, ExpirySucceeded: 1 }])
  })

  it('throws when an instrument could not be archived, so the scheduler retries and alarms', async () => {
    const t = await createTestContext({ now: NOW })
    await seedExpired(t, 2)
    const broken = new Proxy(t.store, {
      get(target, property) {
        if (property === 'archive') return async () => Promise.reject(new Error('AccessDeniedException'))
        const value = Reflect.get(target, property, target)
        return typeof value === 'function' ? value.bind(target) : value
      },
    }) as InstrumentStore
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const handler = createExpiryHandler(() => ({
      store: broken,
      clock: t.clock,
      logger: silentLogger,
      metrics: new Metrics({ namespace: 'fundfinder', serviceName: 'fundfinder-expiry' }),
    }))
    await expect(handler(scheduledEvent, lambdaContext)).rejects.toThrow(/failed to archive 2/)
    const metrics = emittedMetrics(write)
    write.mockRestore()
    expect(metrics).toEqual([{ InstrumentsArchived: 0, ExpiryFailures: 2, ExpirySucceeded: 0 }])
    expect((await t.store.loadCatalogue()).records).toHaveLength(2)
  })

  it('the exported handler builds its dependencies from the environment', async () => {
    const t = await createTestContext({ now: NOW })
    // A deadline a moment ago by the real clock: the exported handler uses the system clock.
    const past = new Date(Date.now() - 60_000).toISOString()
    await t.store.create(instrumentInput({ deadline: past }), 'editor', new Date(Date.now() - 3_600_000))
    await t.store.create(instrumentInput({ deadline: '2999-01-01' }), 'editor', new Date())
    vi.stubEnv('TABLE_NAME', t.tableName)
    vi.stubEnv('DYNAMODB_ENDPOINT', t.config.dynamodbEndpoint as string)
    vi.stubEnv('LOG_LEVEL', 'silent')
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const { handler } = await import('../../functions/expire-instruments/handler')
    const summary = await handler(scheduledEvent, lambdaContext)
    const metrics = emittedMetrics(write)
    write.mockRestore()
    expect(summary).toMatchObject({ scanned: 1, archived: 1, failed: 0 })
    expect(metrics).toEqual([{ InstrumentsArchived: 1, ExpiryFailures: 0, ExpirySucceeded: 1 }])
    expect((await t.store.loadCatalogue()).records).toHaveLength(1)
  })
})
