import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda'
import { recordFailedRun, runImportJob } from '../../shared/catalogue/imports/run-import-job'
import type { ImportJobMessage } from '../../shared/catalogue/imports/sqs-import-queue'
import type { Deps } from '../../shared/deps'
import { depsFromEnvironment } from '../lib/function-deps'

export type ImportWorkerDeps = Pick<
  Deps,
  'store' | 'importJobs' | 'importQueue' | 'clock' | 'logger' | 'config'
>

/**
 * A run stops after the part in progress once less time than this is left, and a new message
 * continues the job: a part of 250 records takes seconds, so this keeps clear of the timeout.
 */
export const YIELD_MARGIN_MS = 60_000

function jobIdOf(body: string): string | undefined {
  try {
    const { jobId } = JSON.parse(body) as Partial<ImportJobMessage>
    return typeof jobId === 'string' && /^[0-9a-z]{26}$/.test(jobId) ? jobId : undefined
  } catch {
    return undefined
  }
}

/**
 * The import worker: one run of `runImportJob` per SQS message (`{ jobId }`). A run that ends
 * early to stay clear of the timeout queues the job again. A run that throws releases the job and
 * reports its message failed, so SQS delivers it again after the visibility timeout; the last
 * delivery before the dead-letter queue (IMPORT_MAX_ATTEMPTS, the queue's maxReceiveCount) also
 * marks the job failed, so its owner sees why. A run killed outright (timeout, out of memory) is
 * redelivered the same way, and its lease has expired by then.
 */
export function createImportWorker(deps: () => ImportWorkerDeps) {
  return async function importInstrumentsHandler(
    event: SQSEvent,
    context: Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>,
  ): Promise<SQSBatchResponse> {
    const { importJobs, importQueue, clock, logger, config } = deps()
    if (context.awsRequestId) logger.withLambdaContext(context as Context)
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = []
    for (const record of event.Records) {
      const jobId = jobIdOf(record.body)
      if (!jobId) {
        // Redelivering it would not make it readable: log it and let it go.
        logger.error('unreadable import message', { messageId: record.messageId })
        continue
      }
      try {
        const result = await runImportJob(deps(), jobId, {
          leaseMs: config.imports.leaseMs,
          shouldYield: () => context.getRemainingTimeInMillis() < YIELD_MARGIN_MS,
        })
        if (result === 'yielded') await importQueue.enqueue(jobId)
        logger.info('import message handled', { jobId, result })
      } catch (error) {
        await recordFailedRun({ importJobs, clock, logger }, jobId, error, {
          number: Number(record.attributes.ApproximateReceiveCount),
          max: config.imports.maxAttempts,
        })
        batchItemFailures.push({ itemIdentifier: record.messageId })
      }
    }
    return { batchItemFailures }
  }
}

export const handler = createImportWorker(depsFromEnvironment('fundfinder-imports'))
