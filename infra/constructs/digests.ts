import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib'
import { Metric } from 'aws-cdk-lib/aws-cloudwatch'
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb'
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda'
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations'
import type { RetentionDays } from 'aws-cdk-lib/aws-logs'
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler'
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets'
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses'
import { Topic } from 'aws-cdk-lib/aws-sns'
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions'
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs'
import { TimeZone } from 'aws-cdk-lib/core'
import { Construct } from 'constructs'
import { INDEX } from '../../shared/platform/table'
import { ENTRIES } from '../bundling'
import type { StageConfig } from '../stage-config'
import type { AlarmTopic } from './alarm-topic'
import { FundfinderFunction } from './fundfinder-function'

/**
 * Where the digest job and the feedback function publish their Powertools metrics
 * (functions/send-digests/handler.ts, functions/mail-feedback/handler.ts); the alarms watch these.
 */
export const DIGEST_METRICS = { namespace: 'fundfinder', service: 'fundfinder-digests' } as const
export const FEEDBACK_METRICS = { namespace: 'fundfinder', service: 'fundfinder-mail-feedback' } as const

/** SES puts an account under review at a 5% bounce rate and 0.1% complaint rate; alarm well before. */
export const BOUNCE_RATE_ALARM = 0.03
export const COMPLAINT_RATE_ALARM = 0.0008

export interface DigestsProps {
  mail: StageConfig['mail']
  /** Absolute base of the links in emails (the API URL unless the stage names another). */
  publicBaseUrl: string
  table: ITableV2
  alarms: AlarmTopic
  logLevel: string
  logRetention: RetentionDays
  logRemovalPolicy: RemovalPolicy
}

/**
 * Email digests in AWS: the SES v2 sending identity and configuration set (no open or click
 * tracking; bounces and complaints suppressed by SES and reported to SNS), the function that
 * applies those reports to the table, the digest function on two EventBridge Scheduler schedules
 * (daily 07:00 and Mondays 07:00, Brussels time) with retries and a dead-letter queue, and alarms on
 * failures and on the bounce and complaint rates.
 */
export class Digests extends Construct {
  readonly configurationSet: ConfigurationSet
  readonly identity: EmailIdentity
  readonly feedbackTopic: Topic
  readonly deadLetters: Queue
  readonly digestFunction: FundfinderFunction
  readonly feedbackFunction: FundfinderFunction
  /** What any function that sends mail needs in its environment (the API sends confirmations). */
  readonly mailEnvironment: Record<string, string>
  private readonly from: string

  constructor(scope: Construct, id: string, props: DigestsProps) {
    super(scope, id)
    const { mail, alarms } = props
    this.from = mail.from

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
    })
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: mail.identity.includes('@') ? Identity.email(mail.identity) : Identity.domain(mail.identity),
      configurationSet: this.configurationSet,
    })
    this.feedbackTopic = new Topic(this, 'FeedbackTopic', {
      displayName: 'fundfinder mail bounces and complaints',
      enforceSSL: true,
    })
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(this.feedbackTopic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    })
    this.mailEnvironment = {
      MAIL_TRANSPORT: 'ses',
      SES_CONFIGURATION_SET: this.configurationSet.configurationSetName,
      MAIL_FROM: `${mail.fromName} <${mail.from}>`,
      ...(mail.replyTo ? { MAIL_REPLY_TO: mail.replyTo } : {}),
      PUBLIC_BASE_URL: props.publicBaseUrl,
    }

    // One dead-letter queue for everything asynchronous here: digest runs, feedback deliveries.
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    })
    Validations.of(this.deadLetters).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself the dead-letter queue of the digest schedules, the digest and feedback functions and the feedback subscription.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This queue is itself the dead-letter queue of the digest schedules, the digest and feedback functions and the feedback subscription.',
      },
    )

    this.digestFunction = new FundfinderFunction(this, 'DigestFunction', {
      entry: ENTRIES.sendDigests,
      description: 'fundfinder: sends the due email digests of saved searches and project watches',
      memorySize: 1024,
      // A run stops claiming a minute before this; Lambda's retry carries on with what is still due.
      timeout: Duration.minutes(15),
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.deadLetters),
      environment: {
        ...this.mailEnvironment,
        LOG_LEVEL: props.logLevel,
        POWERTOOLS_SERVICE_NAME: DIGEST_METRICS.service,
        POWERTOOLS_METRICS_NAMESPACE: DIGEST_METRICS.namespace,
      },
    })
    this.digestFunction.bindTable(props.table, 'readWrite', [INDEX.subscriptionsDue])
    this.grantSend(this.digestFunction)
    Validations.of(this.digestFunction).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Failed asynchronous runs go to an on-failure destination (the digests dead-letter queue), which also records the error; a DLQ as well would deliver every failure twice.',
    })

    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: 'EventBridge Scheduler: invoke the digest function, send undeliverable runs to its DLQ',
    })
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.digestFunction.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason:
        'Added by the Lambda target: lambda:InvokeFunction on the digest function and its versions/aliases (ARN suffix), nothing else.',
    })
    const schedules = [
      {
        id: 'DailySchedule',
        frequency: 'daily',
        weekDay: '*',
        description: 'Daily email digests, 07:00 Brussels time',
      },
      {
        id: 'WeeklySchedule',
        frequency: 'weekly',
        weekDay: 'MON',
        description: 'Weekly email digests, Mondays 07:00 Brussels time',
      },
    ] as const
    for (const schedule of schedules) {
      new Schedule(this, schedule.id, {
        description: schedule.description,
        // Brussels wall-clock time: 06:00 UTC in winter, 05:00 UTC in summer.
        schedule: ScheduleExpression.cron({
          minute: '0',
          hour: '7',
          weekDay: schedule.weekDay,
          timeZone: TimeZone.EUROPE_BRUSSELS,
        }),
        target: new LambdaInvoke(this.digestFunction, {
          role: schedulerRole,
          input: ScheduleTargetInput.fromObject({ frequency: schedule.frequency }),
          retryAttempts: 3,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: this.deadLetters,
        }),
      })
    }

    this.feedbackFunction = new FundfinderFunction(this, 'FeedbackFunction', {
      entry: ENTRIES.mailFeedback,
      description: 'fundfinder: suppresses bounced and complaining addresses and deletes their subscriptions',
      memorySize: 256,
      timeout: Duration.seconds(30),
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      retryAttempts: 2,
      onFailure: new SqsDestination(this.deadLetters),
      environment: {
        LOG_LEVEL: props.logLevel,
        POWERTOOLS_SERVICE_NAME: FEEDBACK_METRICS.service,
        POWERTOOLS_METRICS_NAMESPACE: FEEDBACK_METRICS.namespace,
      },
    })
    this.feedbackFunction.bindTable(props.table, 'readWrite', [])
    Validations.of(this.feedbackFunction).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Failed deliveries go to an on-failure destination (the digests dead-letter queue), which also records the error; a DLQ as well would deliver every failure twice.',
    })
    this.feedbackTopic.addSubscription(
      new LambdaSubscription(this.feedbackFunction, { deadLetterQueue: this.deadLetters }),
    )

    // --- Alarms (each function's errors and throttles: the stack's operations.watchFunction)
    alarms.alarm(
      'DigestDeadLetterMessages',
      this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      {
        description:
          'Digest runs or bounce reports that failed after every retry are waiting in the dead-letter queue',
      },
    )
    alarms.alarm(
      'DigestFailures',
      new Metric({
        namespace: DIGEST_METRICS.namespace,
        metricName: 'DigestFailures',
        dimensionsMap: { service: DIGEST_METRICS.service },
        statistic: 'Sum',
        period: Duration.hours(1),
      }),
      { description: 'Some digests could not be sent' },
    )
    alarms.alarm(
      'SesBounceRate',
      new Metric({
        namespace: 'AWS/SES',
        metricName: 'Reputation.BounceRate',
        statistic: 'Maximum',
        period: Duration.hours(1),
      }),
      {
        description: `SES bounce rate at ${BOUNCE_RATE_ALARM * 100}% (SES reviews the account at 5%)`,
        threshold: BOUNCE_RATE_ALARM,
      },
    )
    alarms.alarm(
      'SesComplaintRate',
      new Metric({
        namespace: 'AWS/SES',
        metricName: 'Reputation.ComplaintRate',
        statistic: 'Maximum',
        period: Duration.hours(1),
      }),
      {
        description: `SES complaint rate at ${COMPLAINT_RATE_ALARM * 100}% (SES reviews the account at 0.1%)`,
        threshold: COMPLAINT_RATE_ALARM,
      },
    )
  }

  /** Lets a function send as the configured sender, through this identity and configuration set only. */
  grantSend(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [
          this.identity.emailIdentityArn,
          Stack.of(this).formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.configurationSet.configurationSetName,
          }),
        ],
        conditions: { StringEquals: { 'ses:FromAddress': this.from } },
      }),
    )
  }
}
