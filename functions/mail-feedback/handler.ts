import { MetricUnit } from '@aws-lambda-powertools/metrics'
import type { Context, SNSEvent } from 'aws-lambda'
import { applyMailFeedback, type FeedbackDeps } from '../../shared/subscriptions/mail-feedback'
import { jobDepsFromEnvironment, type MetricsPublisher } from '../lib/job-deps'
import { FEEDBACK_METRICS } from './metrics'

export interface FeedbackHandlerDeps extends FeedbackDeps {
  metrics: MetricsPublisher
}

/**
 * SES bounce and complaint notifications, delivered by SNS: each suppresses its addresses and
 * deletes their subscriptions (shared/subscriptions/mail-feedback.ts). A message that is not JSON
 * is logged and dropped (retrying cannot fix it); a failing write throws, so Lambda retries.
 */
export function createFeedbackHandler(deps: () => FeedbackHandlerDeps) {
  return async function mailFeedbackHandler(
    event: SNSEvent,
    context?: Partial<Context>,
  ): Promise<{ suppressed: number; deleted: number }> {
    const handlerDeps = deps()
    const { logger, metrics } = handlerDeps
    if (context?.awsRequestId) logger.withLambdaContext(context as Context)
    const total = { suppressed: 0, deleted: 0 }
    for (const record of event.Records ?? []) {
      let notification: unknown
      try {
        notification = JSON.parse(record.Sns.Message)
      } catch {
        logger.warn('mail feedback that is not JSON ignored', { messageId: record.Sns.MessageId })
        continue
      }
      const applied = await applyMailFeedback(handlerDeps, notification)
      total.suppressed += applied.suppressed
      total.deleted += applied.deleted
    }
    metrics.addMetric('AddressesSuppressed', MetricUnit.Count, total.suppressed)
    metrics.publishStoredMetrics()
    return total
  }
}

export const handler = createFeedbackHandler(jobDepsFromEnvironment(FEEDBACK_METRICS))
