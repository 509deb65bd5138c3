import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib'
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb'
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources'
import type { RetentionDays } from 'aws-cdk-lib/aws-logs'
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs'
import { Construct } from 'constructs'
import { ENTRIES } from '../bundling'
import type { AlarmTopic } from './alarm-topic'
import { DeadLetterQueue } from './dead-letter-queue'
import { FundfinderFunction } from './fundfinder-function'

/** The worker's time limit. A run stops a minute before it (YIELD_MARGIN_MS) and queues the rest. */
export const IMPORT_WORKER_TIMEOUT = Duration.minutes(5)
/** Deliveries of one job's message before it goes to the dead-letter queue (and the job is marked failed). */
export const IMPORT_MAX_ATTEMPTS = 5
/**
 * Runs at once. Each writes to the one catalogue partition and bumps the catalogue version: two
 * keep a large backlog moving without two imports contending on every transaction.
 */
export const IMPORT_WORKER_CONCURRENCY = 2

export interface AsyncImportsProps {
  table: ITableV2
  alarms: AlarmTopic
  /** The functions that submit jobs (the API's write path): they may send to the queue and get its URL. */
  submitters: FundfinderFunction[]
  logRetention: RetentionDays
  logRemovalPolicy: RemovalPolicy
  logLevel: string
  archiveRetentionDays: number
}

/**
 * Asynchronous imports in AWS: the API stores a job (file and state in the table) and sends its id
 * to a queue; a worker function (functions/import-instruments) takes one message at a time and runs
 * the job, resuming where a crashed or timed-out run stopped. SQS rather than an asynchronous
 * invoke: a failed run is retried after the visibility timeout, the receive count tells the worker
 * when to give a job up, and what is given up waits in a dead-letter queue that an alarm watches.
 */
export class AsyncImports extends Construct {
  readonly queue: Queue
  readonly deadLetters: DeadLetterQueue
  readonly worker: FundfinderFunction

  constructor(scope: Construct, id: string, props: AsyncImportsProps) {
    super(scope, id)
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      deadLetterQueueOf: 'the import queue',
      redriveTarget: true,
      alarms: props.alarms,
      alarmId: 'ImportDeadLetterMessages',
      alarmDescription: 'Import jobs given up after every attempt are waiting in the dead-letter queue',
    })
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // At least the worker's timeout, so that a message is not delivered again while its run is alive;
      // twice it, so that the next run of a killed one starts within ten minutes.
      visibilityTimeout: IMPORT_WORKER_TIMEOUT.plus(IMPORT_WORKER_TIMEOUT),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: IMPORT_MAX_ATTEMPTS },
    })

    this.worker = new FundfinderFunction(this, 'Worker', {
      entry: ENTRIES.importInstruments,
      description: 'fundfinder: runs asynchronous instrument imports',
      memorySize: 1024,
      timeout: IMPORT_WORKER_TIMEOUT,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      environment: {
        IMPORT_QUEUE_URL: this.queue.queueUrl,
        IMPORT_JOB_LEASE_SECONDS: String(IMPORT_WORKER_TIMEOUT.toSeconds()),
        IMPORT_MAX_ATTEMPTS: String(IMPORT_MAX_ATTEMPTS),
        ARCHIVE_RETENTION_DAYS: String(props.archiveRetentionDays),
        LOG_LEVEL: props.logLevel,
      },
    })
    // Reads and audited writes of instruments and of the job's own items; no index.
    this.worker.bindTable(props.table, 'readWrite', [])
    this.worker.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: IMPORT_WORKER_CONCURRENCY,
      }),
    )
    const mapping = this.worker.node.children.find((child) => child.node.id.startsWith('SqsEventSource:'))
    if (mapping) {
      Validations.of(mapping).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'An on-failure destination is for stream and Kafka sources; for an SQS source the queue keeps a failed message and its redrive policy moves it to the import dead-letter queue after IMPORT_MAX_ATTEMPTS deliveries.',
      })
    }
    // A run that stops early queues the rest of its job.
    this.queue.grantSendMessages(this.worker)
    Validations.of(this.worker).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked by an SQS event source: a failed message is delivered again and, after IMPORT_MAX_ATTEMPTS deliveries, moved to the import dead-letter queue by its redrive policy.',
    })

    for (const submitter of props.submitters) {
      this.queue.grantSendMessages(submitter)
      submitter.addEnvironment('IMPORT_QUEUE_URL', this.queue.queueUrl)
    }

    // The worker's errors and throttles: the stack's operations.watchFunction.
    props.alarms.alarm(
      'ImportQueueBacklog',
      this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
      {
        description: 'An import job has waited more than 30 minutes for a worker',
        threshold: Duration.minutes(30).toSeconds(),
      },
    )
  }
}
