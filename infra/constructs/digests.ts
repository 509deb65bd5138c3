import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib'
import { Metric } from 'aws-cdk-lib/aws-cloudwatch'
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb'
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam'
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations'
import type { RetentionDays } from 'aws-cdk-lib/aws-logs'
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
import { Construct } from 'constructs'
import { FEEDBACK_METRICS } from '../../functions/mail-feedback/metrics'
import { DIGEST_METRICS } from '../../functions/send-digests/metrics'
import { INDEX } from '../../shared/platform/table'
import { ENTRIES } from '../bundling'
import type { StageConfig } from '../stage-config'
import type { AlarmTopic } from './alarm-topic'
import type { DeadLetterQueue } from './dead-letter-queue'
import { FundfinderFunction } from './fundfinder-function'
import { ScheduledFunction } from './scheduled-function'

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
  readonly deadLetters: DeadLetterQueue
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

    const digestJob = new ScheduledFunction(this, 'Digest', {
      name: 'Digest',
      function: {
        entry: ENTRIES.sendDigests,
        description: 'fundfinder: sends the due email digests of saved searches and project watches',
        memorySize: 1024,
        // A run stops claiming a minute before this; Lambda's retry carries on with what is still due.
        timeout: Duration.minutes(15),
        logRetention: props.logRetention,
        logRemovalPolicy: props.logRemovalPolicy,
        environment: { ...this.mailEnvironment, LOG_LEVEL: props.logLevel },
      },
      metrics: DIGEST_METRICS,
      maxEventAge: Duration.hours(6),
      // Brussels wall-clock time: 06:00 UTC in winter, 05:00 UTC in summer.
      schedules: [
        {
          id: 'DailySchedule',
          description: 'Daily email digests, 07:00 Brussels time',
          cron: { minute: '0', hour: '7', weekDay: '*' },
          input: { frequency: 'daily' },
        },
        {
          id: 'WeeklySchedule',
          description: 'Weekly email digests, Mondays 07:00 Brussels time',
          cron: { minute: '0', hour: '7', weekDay: 'MON' },
          input: { frequency: 'weekly' },
        },
      ],
      alarms,
      // One dead-letter queue for everything asynchronous here: digest runs, feedback deliveries.
      deadLetters: {
        deadLetterQueueOf:
          'the digest schedules, the digest and feedback functions and the feedback subscription',
        alarmDescription:
          'Digest runs or bounce reports that failed after every retry are waiting in the dead-letter queue',
      },
      failures: { metricName: DIGEST_METRICS.names.failures, description: 'Some digests could not be sent' },
    })
    this.digestFunction = digestJob.function
    this.deadLetters = digestJob.deadLetters
    this.digestFunction.bindTable(props.table, 'readWrite', [INDEX.subscriptionsDue])
    this.grantSend(this.digestFunction)

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

    // --- Alarms on SES reputation (the digest job's own: ScheduledFunction; each function's errors
    // and throttles: the stack's operations.watchFunction)
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
