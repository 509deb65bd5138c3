import { MetricUnit } from '@aws-lambda-powertools/metrics'
import type { Context, ScheduledEvent } from 'aws-lambda'
import { type ExpirySummary, expireInstruments } from '../../shared/catalogue/expiry/expire-instruments'
import type { Deps } from '../../shared/deps'
import { createTracer, traceClient, tracedHandler } from '../../shared/platform/tracing'
import { jobDepsFromEnvironment, type MetricsPublisher } from '../lib/job-deps'
import { EXPIRY_METRICS } from './metrics'

export interface ExpiryHandlerDeps extends Pick<Deps, 'store' | 'clock' | 'logger'> {
  metrics: MetricsPublisher
}

const { archived, failures, succeeded } = EXPIRY_METRICS.names

/** Stop starting new pages this long before the Lambda timeout; the next run finishes the work. */
const SAFETY_MARGIN_MS = 15_000

/**
 * The scheduled entry point: runs the expiry job once, publishes `InstrumentsArchived`,
 * `ExpiryFailures` and `ExpirySucceeded` (the heartbeat alarm's metric: an hour without a
 * successful run is an alarm), and throws when anything failed so that the scheduler's retries and
 * dead-letter queue see it.
 */
export function createExpiryHandler(deps: () => ExpiryHandlerDeps) {
  return async function expireInstrumentsHandler(
    _event: ScheduledEvent | Record<string, never>,
    context?: Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>,
  ): Promise<ExpirySummary> {
    const { store, clock, logger, metrics } = deps()
    if (context?.awsRequestId) logger.withLambdaContext(context as Context)
    let summary: ExpirySummary
    try {
      summary = await expireInstruments({
        store,
        clock,
        logger,
        shouldContinue: () => !context || context.getRemainingTimeInMillis() > SAFETY_MARGIN_MS,
      })
    } catch (error) {
      metrics.addMetric(failures, MetricUnit.Count, 1)
      metrics.addMetric(succeeded, MetricUnit.Count, 0)
      metrics.publishStoredMetrics()
      throw error
    }
    metrics.addMetric(archived, MetricUnit.Count, summary.archived)
    metrics.addMetric(failures, MetricUnit.Count, summary.failed)
    metrics.addMetric(succeeded, MetricUnit.Count, summary.failed === 0 ? 1 : 0)
    metrics.publishStoredMetrics()
    if (summary.failed > 0) {
      throw new Error(`Expiry run failed to archive ${summary.failed} instrument(s); see the logs.`)
    }
    return summary
  }
}

const tracer = createTracer(EXPIRY_METRICS.service)
const depsFromEnvironment = jobDepsFromEnvironment(EXPIRY_METRICS, {
  wrapClient: (client) => traceClient(tracer, client),
})

export const handler = tracedHandler(tracer, createExpiryHandler(depsFromEnvironment), (_event, summary) => ({
  archived: summary?.archived,
  failed: summary?.failed,
}))
