import { MetricUnit } from '@aws-lambda-powertools/metrics'
import type { Context } from 'aws-lambda'
import { z } from 'zod'
import {
  type DigestJobDeps,
  type DigestRun,
  sendDigests,
} from '../../shared/subscriptions/digest/send-digests'
import { FREQUENCIES } from '../../shared/subscriptions/subscription'
import { jobDepsFromEnvironment, type MetricsPublisher } from '../lib/job-deps'
import { DIGEST_METRICS } from './metrics'

export interface DigestHandlerDeps extends DigestJobDeps {
  metrics: MetricsPublisher
}

const { failures } = DIGEST_METRICS.names

/** Stop claiming new subscriptions this long before the Lambda timeout; the retry finishes the run. */
const SAFETY_MARGIN_MS = 60_000

/**
 * What a schedule sends: `{ "frequency": "daily" }` (07:00 Brussels) or `{ "frequency": "weekly" }`
 * (Mondays 07:00). `at` lets an operator catch a missed period up by invoking the function by hand.
 */
const DigestEvent = z.looseObject({
  frequency: z.enum(FREQUENCIES).optional(),
  at: z.iso.datetime({ offset: true }).optional(),
})

/**
 * The scheduled entry point: one run of the digest job, with `DigestsSent`, `DigestsEmpty` and
 * `DigestFailures` published. It throws when a digest failed or the run stopped early, so that
 * Lambda's retries (and then the dead-letter queue) see it: a retry only does what is still due, as
 * every digest sent has claimed its period.
 */
export function createDigestHandler(deps: () => DigestHandlerDeps) {
  return async function sendDigestsHandler(
    event: unknown,
    context?: Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>,
  ): Promise<DigestRun> {
    const handlerDeps = deps()
    const { logger, metrics } = handlerDeps
    if (context?.awsRequestId) logger.withLambdaContext(context as Context)
    const parsed = DigestEvent.safeParse(event ?? {})
    if (!parsed.success) throw new Error(`Not a digest event: ${parsed.error.issues[0]?.message}`)
    let run: DigestRun
    try {
      run = await sendDigests(handlerDeps, {
        ...(parsed.data.at ? { at: new Date(parsed.data.at) } : {}),
        ...(parsed.data.frequency ? { frequencies: [parsed.data.frequency] } : {}),
        shouldContinue: () => !context || context.getRemainingTimeInMillis() > SAFETY_MARGIN_MS,
      })
    } catch (error) {
      metrics.addMetric(failures, MetricUnit.Count, 1)
      metrics.publishStoredMetrics()
      throw error
    }
    metrics.addMetric('DigestsSent', MetricUnit.Count, run.sent)
    metrics.addMetric('DigestsEmpty', MetricUnit.Count, run.empty)
    metrics.addMetric(failures, MetricUnit.Count, run.failed)
    metrics.publishStoredMetrics()
    if (run.failed > 0) throw new Error(`${run.failed} digest(s) could not be sent; the retry sends them.`)
    if (!run.complete)
      throw new Error('The digest run stopped before its timeout; the retry goes on with the rest.')
    return run
  }
}

export const handler = createDigestHandler(jobDepsFromEnvironment(DIGEST_METRICS))
