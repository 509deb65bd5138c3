import { Duration } from 'aws-cdk-lib'
import {
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  type Metric,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch'
import { type ITableV2, Operation } from 'aws-cdk-lib/aws-dynamodb'
import type { IFunction } from 'aws-cdk-lib/aws-lambda'
import { Construct } from 'constructs'
import { AlarmTopic } from './alarm-topic'
import type { FundfinderHttpApi } from './http-api'

export interface OperationsProps {
  stage: string
  /** Subscribed to every alarm when given. */
  alarmEmail?: string | undefined
  api: FundfinderHttpApi
  table: ITableV2
}

const FIVE_MINUTES = Duration.minutes(5)

/** The DynamoDB operations the functions send; throttling of any of them is an alarm. */
export const TABLE_OPERATIONS = [
  Operation.GET_ITEM,
  Operation.BATCH_GET_ITEM,
  Operation.QUERY,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.BATCH_WRITE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
]

/**
 * 99th-percentile latency above which users wait: searches answer in milliseconds warm and well
 * under a second from a cold start with the catalogue snapshot.
 */
export const LATENCY_P99_ALARM_MS = 3000

/**
 * What an operator watches: one dashboard (requests, 4xx/5xx, latency, throttles at the gateway,
 * in Lambda and in DynamoDB, per-function health, plus what the stack adds) and alarms on one SNS
 * topic. The API and table alarms exist from the start; `watchFunction` adds a function's alarms
 * and graphs in one call.
 */
export class Operations extends Construct {
  readonly alarms: AlarmTopic
  readonly dashboard: Dashboard
  private readonly functionGraphs: Record<'invocations' | 'errors' | 'throttles' | 'duration', GraphWidget>

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id)
    const { api, table } = props
    const { httpApi } = api
    this.alarms = new AlarmTopic(this, 'Alarms', { email: props.alarmEmail })
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `fundfinder-${props.stage}`,
      defaultInterval: Duration.hours(24),
    })

    const sum = (metric: Metric, label: string) =>
      metric.with({ statistic: Stats.SUM, period: FIVE_MINUTES, label })
    const requests = sum(httpApi.metricCount(), 'requests')
    const clientErrors = sum(httpApi.metricClientError(), '4xx')
    const serverErrors = sum(httpApi.metricServerError(), '5xx')
    const latency = (statistic: string) => httpApi.metricLatency({ statistic, period: FIVE_MINUTES })
    const tableThrottles = table.metricThrottledRequestsForOperations({
      operations: TABLE_OPERATIONS,
      period: FIVE_MINUTES,
      label: 'DynamoDB throttled requests',
    })

    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# fundfinder (${props.stage})\nRequests, errors and latency at the HTTP API; throttling at the gateway (429), in Lambda and in DynamoDB; the functions; the expiry job. Alarms notify the alarm topic.`,
        width: 24,
        height: 2,
      }),
    )
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests and errors',
        left: [requests],
        right: [clientErrors, serverErrors],
        width: 8,
      }),
      new GraphWidget({
        title: 'API latency (ms)',
        left: ['p50', 'p99'].map((statistic) => latency(statistic).with({ label: `latency ${statistic}` })),
        width: 8,
      }),
      new GraphWidget({
        title: 'API 429 responses',
        left: [api.throttledResponses.with({ label: '429' })],
        width: 8,
      }),
    )
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'DynamoDB consumed capacity',
        left: [
          table.metricConsumedReadCapacityUnits({ statistic: Stats.SUM, period: FIVE_MINUTES, label: 'RCU' }),
          table.metricConsumedWriteCapacityUnits({
            statistic: Stats.SUM,
            period: FIVE_MINUTES,
            label: 'WCU',
          }),
        ],
        width: 12,
      }),
      new GraphWidget({ title: 'DynamoDB throttled requests', left: [tableThrottles], width: 12 }),
    )
    this.functionGraphs = {
      invocations: new GraphWidget({ title: 'Lambda invocations', width: 6 }),
      errors: new GraphWidget({ title: 'Lambda errors', width: 6 }),
      throttles: new GraphWidget({ title: 'Lambda throttles', width: 6 }),
      duration: new GraphWidget({ title: 'Lambda duration p99 (ms)', width: 6 }),
    }
    this.dashboard.addWidgets(...Object.values(this.functionGraphs))

    this.alarm(
      'Api5xxRate',
      new MathExpression({
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: { errors: serverErrors, requests },
        label: 'API 5xx responses (% of requests)',
        period: FIVE_MINUTES,
      }),
      {
        description: 'More than 5% of API requests answered 5xx in two of three 5-minute periods',
        threshold: 5,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      },
    )
    this.alarm('ApiLatencyP99', latency('p99'), {
      description: `API p99 latency above ${LATENCY_P99_ALARM_MS} ms in two of three 5-minute periods`,
      threshold: LATENCY_P99_ALARM_MS,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    })
    this.alarm('Api429Responses', api.throttledResponses, {
      description: 'The API answered 429: the stage throttle (or a rate limit) refused requests',
    })
    this.alarm('TableThrottledRequests', tableThrottles, {
      description: 'DynamoDB throttled requests on the catalogue table (a hot partition or a burst)',
    })
  }

  /** An alarm on the topic (see AlarmTopic.alarm for the defaults). */
  alarm(...args: Parameters<AlarmTopic['alarm']>) {
    return this.alarms.alarm(...args)
  }

  /** Alarms on the function's errors and throttles, and its line on each Lambda graph. */
  watchFunction(name: string, fn: IFunction): void {
    this.alarm(`${name}FunctionErrors`, fn.metricErrors({ period: FIVE_MINUTES }), {
      description: `${name} function: invocations failed`,
    })
    this.alarm(`${name}FunctionThrottles`, fn.metricThrottles({ period: FIVE_MINUTES }), {
      description: `${name} function: invocations throttled (reserved concurrency or the account limit reached)`,
    })
    // Graphs only: a labelled metric makes an alarm a metric-math alarm.
    const options = { period: FIVE_MINUTES, label: name }
    this.functionGraphs.invocations.addLeftMetric(fn.metricInvocations(options))
    this.functionGraphs.errors.addLeftMetric(fn.metricErrors(options))
    this.functionGraphs.throttles.addLeftMetric(fn.metricThrottles(options))
    this.functionGraphs.duration.addLeftMetric(fn.metricDuration({ ...options, statistic: 'p99' }))
  }

  /** A row of graphs of the stack's own metrics (the expiry job's runs and archived counts). */
  addGraphs(...graphs: { title: string; left: IMetric[]; right?: IMetric[] }[]): void {
    const width = Math.max(6, Math.floor(24 / graphs.length))
    this.dashboard.addWidgets(...graphs.map((graph) => new GraphWidget({ ...graph, width })))
  }
}
