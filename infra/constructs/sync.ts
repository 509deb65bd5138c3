import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib'
import { ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch'
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb'
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda'
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations'
import type { RetentionDays } from 'aws-cdk-lib/aws-logs'
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler'
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets'
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs'
import { TimeZone } from 'aws-cdk-lib/core'
import { Construct } from 'constructs'
import { ENTRIES } from '../bundling'
import type { AlarmTopic } from './alarm-topic'
import { FundfinderFunction } from './fundfinder-function'

/**
 * Where the sync's Powertools metrics land (functions/sync-instruments/handler.ts): the heartbeat
 * alarm watches this namespace and `service` dimension; the bundle test checks they match.
 */
export const SYNC_METRICS = { namespace: 'fundfinder', service: 'fundfinder-sync' } as const

/** No successful sync for this long raises the heartbeat alarm (daily runs: two missed days). */
export const SYNC_HEARTBEAT = { period: Duration.hours(6), periods: 8 } as const

export interface CatalogueSyncProps {
  table: ITableV2
  alarms: AlarmTopic
  logRetention: RetentionDays
  logRemovalPolicy: RemovalPolicy
  logLevel: string
  archiveRetentionDays: number
  /** Sent in the sync's User-Agent: where whoever runs this deployment can be reached (its site). */
  contactUrl: string
}

/**
 * The daily sync of the EU Funding & Tenders Portal into the catalogue: a function with outbound
 * HTTPS only (no VPC) and item-level read/write on the table, run by EventBridge Scheduler every
 * morning in Brussels; failed runs (an incomplete read throws) are retried by Lambda, then land in
 * a dead-letter queue. Alarms: any failed run, a message in the dead-letter queue, and a
 * heartbeat, "no successful sync in 48 hours", which also fires when the function never runs at
 * all (missing data is breaching).
 */
export class CatalogueSync extends Construct {
  readonly function: FundfinderFunction
  readonly deadLetters: Queue

  constructor(scope: Construct, id: string, props: CatalogueSyncProps) {
    super(scope, id)
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    })
    Validations.of(this.deadLetters).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the sync schedule.' },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason: 'This queue is itself the dead-letter queue of the sync schedule.',
      },
    )
    this.function = new FundfinderFunction(this, 'Function', {
      entry: ENTRIES.syncInstruments,
      description: 'fundfinder: syncs calls from the EU Funding & Tenders Portal',
      memorySize: 1024,
      // Ten pages with pauses take seconds; a slow portal with retries and backoff on every page can
      // take minutes. The whole run must fit in one invocation.
      timeout: Duration.minutes(15),
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.deadLetters),
      environment: {
        ARCHIVE_RETENTION_DAYS: String(props.archiveRetentionDays),
        LOG_LEVEL: props.logLevel,
        SYNC_CONTACT_URL: props.contactUrl,
        POWERTOOLS_SERVICE_NAME: SYNC_METRICS.service,
        POWERTOOLS_METRICS_NAMESPACE: SYNC_METRICS.namespace,
      },
    })
    // Reads by key (BatchGet), the live catalogue partition (Query), audited transactions: no index.
    this.function.bindTable(props.table, 'readWrite', [])
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Failed asynchronous runs go to an on-failure destination (the sync dead-letter queue), which also records the error; a DLQ as well would deliver every failure twice.',
    })

    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: 'EventBridge Scheduler: invoke the sync function, send undeliverable runs to its DLQ',
    })
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.function.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason:
        'Added by the Lambda target: lambda:InvokeFunction on the sync function and its versions/aliases (ARN suffix), nothing else.',
    })
    new Schedule(this, 'Schedule', {
      description: 'Sync calls from the EU Funding & Tenders Portal',
      // Early morning in Brussels: the portal's overnight updates are in, editors start the day with them.
      schedule: ScheduleExpression.cron({ minute: '17', hour: '5', timeZone: TimeZone.EUROPE_BRUSSELS }),
      target: new LambdaInvoke(this.function, {
        role: schedulerRole,
        retryAttempts: 3,
        maxEventAge: Duration.hours(6),
        deadLetterQueue: this.deadLetters,
      }),
    })

    // The function's errors and throttles: the stack's operations.watchFunction.
    props.alarms.alarm(
      'SyncDeadLetterMessages',
      this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      { description: 'Sync runs that failed after every retry are waiting in the dead-letter queue' },
    )
    props.alarms.alarm(
      'SyncHeartbeat',
      new Metric({
        namespace: SYNC_METRICS.namespace,
        metricName: 'SyncSucceeded',
        dimensionsMap: { service: SYNC_METRICS.service },
        statistic: 'Sum',
        period: SYNC_HEARTBEAT.period,
      }),
      {
        description: 'No successful sync of the EU Funding & Tenders Portal in 48 hours',
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: SYNC_HEARTBEAT.periods,
        datapointsToAlarm: SYNC_HEARTBEAT.periods,
        treatMissingData: TreatMissingData.BREACHING,
      },
    )
  }
}
