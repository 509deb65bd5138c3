import { Logger } from '@aws-lambda-powertools/logger'
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics'
import type { Context, ScheduledEvent } from 'aws-lambda'
import { type ExpirySummary, expireInstruments } from '../../shared/catalogue/expiry/expire-instruments'
import { DynamoInstrumentStore, type InstrumentStore } from '../../shared/catalogue/store/instrument-store'
import { loadConfig } from '../../shared/platform/config'
import { createDocumentClient } from '../../shared/platform/dynamodb'
import type { Logger as AppLogger } from '../../shared/platform/logger'
import { type Clock, systemClock } from '../../shared/platform/time'

export interface ExpiryHandlerDeps {
  store: InstrumentStore
  clock: Clock
  logger: AppLogger
  metrics: Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>
}

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
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<ExpirySummary> {
    const { store, clock, logger, metrics } = deps()
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
  const client = createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint })
  const deps: ExpiryHandlerDeps = {
    store: new DynamoInstrumentStore(client, config.tableName, config.archiveRetentionDays),
    clock: systemClock,
    logger: powertoolsLogger(
      new Logger({ serviceName: 'fundfinder-expiry', logLevel: toPowertoolsLevel(config.logLevel) }),
    ),
    metrics: new Metrics({ namespace: 'fundfinder', serviceName: 'fundfinder-expiry' }),
  }
  productionDeps = deps
  return deps
}

/** The project's logger interface over Powertools' (structured JSON with Lambda context fields). */
function powertoolsLogger(logger: Logger): AppLogger {
  return {
    debug: (message, fields = {}) => logger.debug(message, fields),
    info: (message, fields = {}) => logger.info(message, fields),
    warn: (message, fields = {}) => logger.warn(message, fields),
    error: (message, fields = {}) => logger.error(message, fields),
  }
}

function toPowertoolsLevel(level: string): 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' {
  return level.toUpperCase() as 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT'
}

export const handler = createExpiryHandler(depsFromEnvironment)
