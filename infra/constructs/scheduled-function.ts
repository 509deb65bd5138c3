import { Duration, Stack, Validations } from 'aws-cdk-lib'
import { ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch'
import type { CronOptions } from 'aws-cdk-lib/aws-events'
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda'
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations'
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler'
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets'
import { TimeZone } from 'aws-cdk-lib/core'
import { Construct } from 'constructs'
import type { JobMetrics } from '../../functions/lib/job-deps'
import type { AlarmTopic } from './alarm-topic'
import { DeadLetterQueue } from './dead-letter-queue'
import { FundfinderFunction, type FundfinderFunctionProps } from './fundfinder-function'

/** Lambda's own retries of a failed asynchronous run, before the run goes to the dead-letter queue. */
const FUNCTION_RETRIES = 2
/** The scheduler's retries when it cannot invoke the function at all (throttled, unavailable). */
const SCHEDULER_RETRIES = 3

export interface JobSchedule {
  /** The Schedule's construct id. */
  id: string
  description: string
  /** A cron in Brussels wall-clock time: date-only deadlines and editors' mornings are Brussels time. */
  cron: CronOptions
  /** The event the function receives; none by default. */
  input?: Record<string, unknown>
}

export interface ScheduledFunctionProps {
  /**
   * The job's name: its alarms are `${name}DeadLetterMessages`, `${name}Failures` and
   * `${name}Heartbeat`; in lower case it names the job in descriptions ("the expiry function").
   */
  name: string
  /** The function; its retries, their age limit and its on-failure destination come from here. */
  function: Omit<FundfinderFunctionProps, 'onFailure' | 'retryAttempts' | 'maxEventAge'>
  /** Where the function publishes its Powertools metrics (set in its environment, read by the alarms). */
  metrics: JobMetrics
  /** How long a run is still worth starting: Lambda's and the scheduler's retries stop after this. */
  maxEventAge: Duration
  schedules: readonly JobSchedule[]
  alarms: AlarmTopic
  deadLetters?: {
    /** What else gives up into the queue (default: the schedules of this job). */
    deadLetterQueueOf?: string
    alarmDescription?: string
  }
  /** An alarm on any count of this metric in an hour (a run that could not do part of its work). */
  failures?: { metricName: string; description: string }
  /**
   * An alarm when the success metric is missing or zero for `periods` periods in a row: it also
   * fires when the job never runs at all (missing data is breaching).
   */
  heartbeat?: { metricName: string; period: Duration; periods: number; description: string }
}

/**
 * A job that EventBridge Scheduler runs at set Brussels times, the same way for every job: the
 * scheduler invokes asynchronously and retries what it cannot invoke; Lambda retries a failed run;
 * what still fails lands, with its error, in one dead-letter queue, which an alarm watches. One run
 * at a time is the function's business (reserved concurrency), the schedule only starts it. Each
 * function's errors and throttles are watched by the stack (operations.watchFunction).
 */
export class ScheduledFunction extends Construct {
  readonly function: FundfinderFunction
  readonly deadLetters: DeadLetterQueue
  private readonly metricSource: JobMetrics

  constructor(scope: Construct, id: string, props: ScheduledFunctionProps) {
    super(scope, id)
    const job = props.name.toLowerCase()
    const { alarms, metrics, maxEventAge } = props
    this.metricSource = metrics

    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      deadLetterQueueOf:
        props.deadLetters?.deadLetterQueueOf ??
        `the ${job} schedule${props.schedules.length > 1 ? 's' : ''} and the ${job} function's failed runs`,
      alarms,
      alarmId: `${props.name}DeadLetterMessages`,
      alarmDescription:
        props.deadLetters?.alarmDescription ??
        `${props.name} runs that failed after every retry are waiting in the dead-letter queue`,
    })

    this.function = new FundfinderFunction(this, 'Function', {
      ...props.function,
      retryAttempts: FUNCTION_RETRIES,
      maxEventAge,
      onFailure: new SqsDestination(this.deadLetters),
      environment: {
        ...props.function.environment,
        POWERTOOLS_SERVICE_NAME: metrics.service,
        POWERTOOLS_METRICS_NAMESPACE: metrics.namespace,
      },
    })
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: `Failed asynchronous runs go to an on-failure destination (the ${job} dead-letter queue), which also records the error; a DLQ as well would deliver every failure twice.`,
    })

    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: `EventBridge Scheduler: invoke the ${job} function, send undeliverable runs to its DLQ`,
    })
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.function.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason: `Added by the Lambda target: lambda:InvokeFunction on the ${job} function and its versions/aliases (ARN suffix), nothing else.`,
    })
    for (const schedule of props.schedules) {
      new Schedule(this, schedule.id, {
        description: schedule.description,
        schedule: ScheduleExpression.cron({ ...schedule.cron, timeZone: TimeZone.EUROPE_BRUSSELS }),
        target: new LambdaInvoke(this.function, {
          role: schedulerRole,
          ...(schedule.input ? { input: ScheduleTargetInput.fromObject(schedule.input) } : {}),
          retryAttempts: SCHEDULER_RETRIES,
          maxEventAge,
          deadLetterQueue: this.deadLetters,
        }),
      })
    }

    if (props.failures) {
      alarms.alarm(`${props.name}Failures`, this.metric(props.failures.metricName), {
        description: props.failures.description,
      })
    }
    if (props.heartbeat) {
      const { metricName, period, periods, description } = props.heartbeat
      alarms.alarm(`${props.name}Heartbeat`, this.metric(metricName, period), {
        description,
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
        treatMissingData: TreatMissingData.BREACHING,
      })
    }
  }

  /** One of the job's own metrics, summed per period (an hour unless said). */
  metric(metricName: string, period: Duration = Duration.hours(1)): Metric {
    return new Metric({
      namespace: this.metricSource.namespace,
      metricName,
      dimensionsMap: { service: this.metricSource.service },
      statistic: 'Sum',
      period,
    })
  }
}
