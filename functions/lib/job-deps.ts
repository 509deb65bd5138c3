import { Metrics } from '@aws-lambda-powertools/metrics'
import type { Deps } from '../../shared/deps'
import { loadConfig } from '../../shared/platform/config'
import { type FunctionDepsOptions, functionDeps, onFirstInvocation } from './function-deps'

/**
 * Where a background job's Powertools metrics land: the namespace and the `service` dimension. The
 * handler publishes there and the stack's alarms watch there (infra/constructs/scheduled-function.ts).
 */
export interface JobMetrics {
  readonly namespace: string
  readonly service: string
}

export type MetricsPublisher = Pick<Metrics, 'addMetric' | 'publishStoredMetrics'>

/** A job's deps and its metrics, from the environment on the first invocation; logs under the metrics' service. */
export function jobDepsFromEnvironment(
  metrics: JobMetrics,
  options: FunctionDepsOptions = {},
): () => Deps & { metrics: MetricsPublisher } {
  return onFirstInvocation(() => ({
    ...functionDeps(loadConfig(), metrics.service, options),
    metrics: new Metrics({ namespace: metrics.namespace, serviceName: metrics.service }),
  }))
}
