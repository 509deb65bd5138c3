import { Metrics } from '@aws-lambda-powertools/metrics'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSyncHandler } from '../../functions/sync-instruments/handler'
import { SYNC_METRICS } from '../../functions/sync-instruments/metrics'
import { type EuFtStandin, type StandinFault, startEuFtStandin } from '../../scripts/lib/eu-ft-standin'
import { silentLogger } from '../../shared/platform/logger'
import { createTestContext } from '../support/context'
import { portalResult } from './support'

const NOW = '2026-12-01T04:17:00.000Z'

let standin: EuFtStandin | undefined
afterEach(async () => {
  vi.restoreAllMocks()
  await standin?.stop()
  standin = undefined
})

/** The CloudWatch EMF documents the handler printed, as { metricName: value }. */
function emittedMetrics(write: ReturnType<typeof vi.spyOn>): Record<string, number> {
  const documents = write.mock.calls
    .map((call: unknown[]) => String(call[0]))
    .filter((line: string) => line.includes('"_aws"'))
    .map((line: string) => JSON.parse(line))
  for (const document of documents) {
    expect(document._aws.CloudWatchMetrics[0].Namespace).toBe(SYNC_METRICS.namespace)
    expect(document.service).toBe(SYNC_METRICS.service)
  }
  return Object.assign(
    {},
    ...documents.map((document: any) => {
      const names = document._aws.CloudWatchMetrics[0].Metrics.map((metric: { Name: string }) => metric.Name)
      return Object.fromEntries(names.map((name: string) => [name, document[name]]))
    }),
  )
}

async function handlerFor(results: unknown[], faults: StandinFault[] = []) {
  const t = await createTestContext({
    now: NOW,
    env: { EU_FT_PAGE_DELAY_MS: '0' },
  })
  standin = await startEuFtStandin({ results, faults })
  const config = { ...t.config, euFt: { ...t.config.euFt, searchUrl: standin.url } }
  const handler = createSyncHandler(() => ({
    store: t.store,
    clock: t.clock,
    logger: silentLogger,
    config,
    metrics: new Metrics({ namespace: SYNC_METRICS.namespace, serviceName: SYNC_METRICS.service }),
  }))
  return { t, handler }
}

describe('the sync-instruments Lambda handler', () => {
  it('syncs, publishes what it did and the heartbeat, and returns the summary', async () => {
    const { handler } = await handlerFor([
      portalResult(),
      portalResult({ title: ['Support to the Food Safety Authority of The Gambia'] }),
    ])
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const summary = await handler({})
    const metrics = emittedMetrics(write)
    write.mockRestore()
    expect(summary).toMatchObject({ source: 'eu-ft', created: 2, held: 1, failed: 0, complete: true })
    expect(metrics).toEqual({
      InstrumentsSynced: 2,
      InstrumentsWithdrawn: 0,
      InstrumentsHeld: 1,
      SyncFailures: 0,
      SyncSucceeded: 1,
    })
  })

  it('throws on an incomplete read, without the heartbeat, so the retries, DLQ and alarms see it', async () => {
    const { t, handler } = await handlerFor(
      [portalResult()],
      [{ fault: { status: 404 }, times: Number.POSITIVE_INFINITY }],
    )
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    await expect(handler({})).rejects.toThrow(
      /could not be read completely \(page 1: HTTP 404\); nothing was withdrawn/,
    )
    const metrics = emittedMetrics(write)
    write.mockRestore()
    expect(metrics).toMatchObject({ SyncIncomplete: 1, SyncFailures: 1 })
    expect(metrics.SyncSucceeded).toBeUndefined()
    expect(await t.store.catalogueVersion()).toBe(0)
  })
})
