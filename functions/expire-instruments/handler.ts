import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'
import type { Context, ScheduledEvent } from 'aws-lambda'
import { type ExpirySummary, expireInstruments } from '../../shared/catalogue/expiry/expire-instruments'
import { createDeps, type Deps } from '../../shared/deps'
import { loadConfig } from '../../shared/platform/config'
import { createLogger } from '../../shared/platform/logger'

export interface ExpiryHandlerDeps extends Pick<Deps, 'store' | 'clock' | 'logger'> {
  metrics: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>
}

const EXPIRY_SERVICE = 'fundfinder-expiry'

/** Stop starting new pages this long before the Lambda timeout; the next run finishes the work. */
const SAFETY_MARGIN_MS = 15_000

/**
 * The scheduled entry point: runs the expiry job once, publishes `InstrumentsArchived` and
 * `ExpiryFailures`, and throws when anything failed so that the scheduler's retries and
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
      metrics.addMetric('ExpiryFailures', MetricUnit.Count, 1)
      metrics.publishStoredMetrics()
      throw error
    }
    metrics.addMetric('InstrumentsArchived', MetricUnit.Count, summary.archived)
    metrics.addMetric('ExpiryFailures', MetricUnit.Count, summary.failed)
    metrics.publishStoredMetrics()
    if (summary.failed > 0) {
      throw new Error(`Expiry run failed to archive ${summary.failed} instrument(s); see the logs.`)
    }
    return summary
  }
}

let productionDeps: ExpiryHandlerDeps | undefined

/** Built on the first invocation and kept for the warm container's later ones. */
function depsFromEnvironment(): ExpiryHandlerDeps {
  if (productionDeps) return productionDeps
  const config = loadConfig()
  productionDeps = {
    ...createDeps(config, { logger: createLogger(config.logLevel, EXPIRY_SERVICE) }),
    metrics: new Metrics({ namespace: 'fundfinder', serviceName: EXPIRY_SERVICE }),
  }
  return productionDeps
}

export const handler = createExpiryHandler(depsFromEnvironment)
