import type { Template } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import { SYNC_METRICS } from '../../functions/sync-instruments/metrics'
import { LAMBDA_RUNTIME } from '../../infra/bundling'
import { SYNC_HEARTBEAT } from '../../infra/constructs/sync'
import { parseConfig } from '../../shared/platform/config'
import { synthStage } from './synth'

let template: Template
beforeAll(() => {
  template = synthStage('dev').template
}, 180_000)

type Resource = { Type: string; Properties: Record<string, any> }

function resources(type: string, idPrefix: string): [string, Resource][] {
  return (Object.entries(template.findResources(type)) as [string, Resource][]).filter(([id]) =>
    id.startsWith(idPrefix),
  )
}

function one(type: string, idPrefix: string): [string, Resource] {
  const found = resources(type, idPrefix)
  expect(found, `${type} ${idPrefix}*`).toHaveLength(1)
  return found[0] as [string, Resource]
}

const syncFunction = () => one('AWS::Lambda::Function', 'SyncFunction')
const syncQueue = () => one('AWS::SQS::Queue', 'SyncDeadLetters')

describe('the daily EU Funding & Tenders sync in the stack', () => {
  it('is a function of its own: arm64, newest Node.js, 15 minutes, no VPC, an environment the config accepts', () => {
    const [, fn] = syncFunction()
    expect(fn.Properties).toMatchObject({
      Runtime: LAMBDA_RUNTIME.name,
      Architectures: ['arm64'],
      Timeout: 900,
      MemorySize: 1024,
      Description: 'fundfinder: syncs calls from the EU Funding & Tenders Portal',
    })
    // Outbound HTTPS to the portal only: no VPC to route through.
    expect(fn.Properties.VpcConfig).toBeUndefined()
    const env = fn.Properties.Environment.Variables
    expect(env).toMatchObject({
      POWERTOOLS_SERVICE_NAME: SYNC_METRICS.service,
      POWERTOOLS_METRICS_NAMESPACE: SYNC_METRICS.namespace,
    })
    expect(JSON.stringify(env.SYNC_CONTACT_URL)).toContain('.execute-api.')
    const config = parseConfig({
      ...env,
      TABLE_NAME: 'fundfinder-dev-CatalogueTable-ABC123',
      SYNC_CONTACT_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/',
      AWS_REGION: 'eu-west-1',
    })
    expect(config.euFt.searchUrl).toBe('https://api.tech.ec.europa.eu/search-api/prod/rest/search')
    expect(config.euFt.programmes).toEqual([])
    expect(config.dynamodbEndpoint).toBeUndefined()
  })

  it('may read and write table items (no index, no Scan, nothing table-level) and send to its DLQ, nothing else', () => {
    const [, fn] = syncFunction()
    const [tableId] = one('AWS::DynamoDB::GlobalTable', 'CatalogueTable')
    const [queueId] = syncQueue()
    const roleId = fn.Properties.Role['Fn::GetAtt'][0]
    const statements = (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[])
      .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as any[])
    const actions = statements.flatMap((s) => [s.Action].flat() as string[]).sort()
    expect(actions.filter((action) => action.includes('*'))).toEqual([])
    expect(actions).not.toContain('dynamodb:Scan')
    const table = statements.find((s) => [s.Action].flat().includes('dynamodb:PutItem'))
    expect([table.Action].flat().sort()).toEqual(
      ['BatchGetItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'].map((a) => `dynamodb:${a}`),
    )
    expect([table.Resource].flat()).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }])
    const queue = statements.find((s) => [s.Action].flat().includes('sqs:SendMessage'))
    expect(queue.Resource).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] })
    expect(actions.filter((a) => !a.startsWith('dynamodb:') && !a.startsWith('sqs:'))).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      // Active tracing; X-Ray's actions have no resource-level permissions.
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ])
  })

  it('runs daily at 05:17 Brussels time, with retries and a dead-letter queue for failed runs', () => {
    const [fnId] = syncFunction()
    const [queueId, queue] = syncQueue()
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(17 5 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Brussels',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 21_600 },
      },
    })
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    })
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true)
  })

  it('alarms on a failed run, on its dead-letter queue, and when no sync succeeded in 48 hours', () => {
    const [fnId] = syncFunction()
    const [queueId] = syncQueue()
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'))
    const notifies = { AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }] }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...notifies,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      Threshold: 1,
    })
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...notifies,
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
    })
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...notifies,
      Namespace: SYNC_METRICS.namespace,
      MetricName: 'SyncSucceeded',
      Dimensions: [{ Name: 'service', Value: SYNC_METRICS.service }],
      Statistic: 'Sum',
      Period: 21_600,
      EvaluationPeriods: 8,
      DatapointsToAlarm: 8,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      // Never having run at all is the failure a heartbeat exists for.
      TreatMissingData: 'breaching',
    })
    expect(SYNC_HEARTBEAT.period.toHours() * SYNC_HEARTBEAT.periods).toBe(48)
  })
})
