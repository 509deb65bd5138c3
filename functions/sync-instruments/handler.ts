import { MetricUnit } from '@aws-lambda-powertools/metrics'
import type { Context, ScheduledEvent } from 'aws-lambda'
import { syncEuFt } from '../../shared/catalogue/sources/eu-ft/sync-eu-ft'
import type { SyncSummary } from '../../shared/catalogue/sources/sync-instruments'
import type { Deps } from '../../shared/deps'
import { jobDepsFromEnvironment, type MetricsPublisher } from '../lib/job-deps'
import { SYNC_METRICS } from './metrics'

export interface SyncHandlerDeps extends Pick<Deps, 'store' | 'clock' | 'logger' | 'config'> {
  metrics: MetricsPublisher
}

/**
 * The scheduled entry point: one sync of the EU Funding & Tenders Portal. Publishes what it did
 * (`InstrumentsSynced` created/updated, `InstrumentsWithdrawn`, `InstrumentsHeld`, `SyncFailures`)
 * and, for a complete read, `SyncSucceeded` (the heartbeat). An incomplete read throws, so the
 * scheduler's retries and dead-letter queue see it; failed topics of a complete read do not (they
 * are in the summary and the logs, and the next run tries them again).
 */
export function createSyncHandler(deps: () => SyncHandlerDeps) {
  return async function syncInstrumentsHandler(
    _event: ScheduledEvent | Record<string, never>,
    context?: Partial<Context>,
  ): Promise<Omit<SyncSummary, 'warnings'>> {
    const { store, clock, logger, config, metrics } = deps()
    if (context?.awsRequestId) logger.withLambdaContext(context as Context)
    let summary: SyncSummary
    try {
      summary = await syncEuFt({ store, clock, logger, config })
    } catch (error) {
      metrics.addMetric('SyncIncomplete', MetricUnit.Count, 1)
      metrics.publishStoredMetrics()
      throw error
    }
    metrics.addMetric('InstrumentsSynced', MetricUnit.Count, summary.created + summary.updated)
    metrics.addMetric('InstrumentsWithdrawn', MetricUnit.Count, summary.withdrawn)
    metrics.addMetric('InstrumentsHeld', MetricUnit.Count, summary.held)
    metrics.addMetric('SyncFailures', MetricUnit.Count, summary.failed)
    metrics.addMetric(summary.complete ? SYNC_METRICS.names.succeeded : 'SyncIncomplete', MetricUnit.Count, 1)
    metrics.publishStoredMetrics()
    if (!summary.complete) {
      throw new Error(
        `The EU Funding & Tenders Portal could not be read completely (${summary.failures
          .map((failure) => `${failure.identifier}: ${failure.reason}`)
          .slice(0, 5)
          .join('; ')}); nothing was withdrawn.`,
      )
    }
    const { warnings: _warnings, ...result } = summary
    return result
  }
}

export const handler = createSyncHandler(jobDepsFromEnvironment(SYNC_METRICS))
