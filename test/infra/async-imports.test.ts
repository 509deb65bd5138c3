import { Match, type Template } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  IMPORT_MAX_ATTEMPTS,
  IMPORT_WORKER_CONCURRENCY,
  IMPORT_WORKER_TIMEOUT,
} from '../../infra/constructs/async-imports'
import { parseConfig } from '../../shared/platform/config'
import { synthStage } from './synth'

let template: Template
beforeAll(() => {
  template = synthStage('prod').template
}, 120_000)

type Resource = { Type: string; Properties: Record<string, any> }

const resources = (type: string) => Object.entries(template.findResources(type)) as [string, Resource][]
const byIdPrefix = (type: string, prefix: string) => {
  const found = resources(type).filter(([id]) => id.startsWith(prefix))
  expect(found, `${type} ${prefix}*`).toHaveLength(1)
  return found[0] as [string, Resource]
}
const functionDescribed = (description: RegExp) => {
  const found = resources('AWS::Lambda::Function').filter(([, fn]) =>
    description.test(fn.Properties.Description),
  )
  expect(found).toHaveLength(1)
  return found[0] as [string, Resource]
}
const worker = () => functionDescribed(/asynchronous instrument imports/)
/** The API function that queues imports: the write surface (imports are admin writes). */
const api = () => functionDescribed(/write surface/)
const importQueue = () => byIdPrefix('AWS::SQS::Queue', 'ImportsQueue')
const importDeadLetters = () => byIdPrefix('AWS::SQS::Queue', 'ImportsDeadLetters')

function statementsOf(fn: Resource) {
  const roleId = fn.Properties.Role['Fn::GetAtt'][0]
  return resources('AWS::IAM::Policy')
    .filter(([, policy]) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as any[])
}
const actionsOn = (statements: any[], resource: unknown) =>
  statements
    .filter((statement) => JSON.stringify([statement.Resource].flat()).includes(JSON.stringify(resource)))
    .flatMap((statement) => [statement.Action].flat() as string[])
    .sort()

describe('asynchronous imports in the stack', () => {
  it('queues jobs on an encrypted queue whose failures go to a dead-letter queue after IMPORT_MAX_ATTEMPTS deliveries', () => {
    const [deadLettersId, deadLetters] = importDeadLetters()
    const [, queue] = importQueue()
    expect(queue.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [deadLettersId, 'Arn'] },
        maxReceiveCount: IMPORT_MAX_ATTEMPTS,
      },
    })
    // Never visible again while its run may still be alive.
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(IMPORT_WORKER_TIMEOUT.toSeconds())
    expect(deadLetters.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
    })
    for (const [queueId] of [importQueue(), importDeadLetters()]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      })
    }
  })

  it('runs the worker one message at a time, at most IMPORT_WORKER_CONCURRENCY at once, reporting failed messages', () => {
    const [workerId, fn] = worker()
    const [queueId] = importQueue()
    expect(fn.Properties).toMatchObject({
      Timeout: IMPORT_WORKER_TIMEOUT.toSeconds(),
      Architectures: ['arm64'],
      Handler: 'index.handler',
    })
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: workerId },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: IMPORT_WORKER_CONCURRENCY },
    })
  })

  it("gives the worker an environment the app's config accepts: the queue, a lease as long as its timeout, the attempts", () => {
    const [, fn] = worker()
    const [queueId] = importQueue()
    const [tableId] = resources('AWS::DynamoDB::GlobalTable')[0] as [string, Resource]
    const env = fn.Properties.Environment.Variables
    expect(env).toMatchObject({ IMPORT_QUEUE_URL: { Ref: queueId }, TABLE_NAME: { Ref: tableId } })
    const config = parseConfig({
      ...env,
      IMPORT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/imports',
      TABLE_NAME: 'fundfinder-prod-table',
    })
    expect(config.imports).toMatchObject({
      leaseMs: IMPORT_WORKER_TIMEOUT.toMilliseconds(),
      maxAttempts: IMPORT_MAX_ATTEMPTS,
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/imports',
    })
    expect(api()[1].Properties.Environment.Variables.IMPORT_QUEUE_URL).toEqual({ Ref: queueId })
  })

  it('grants the worker item access to the table (no index), the queue it reads and re-queues to, and no more', () => {
    const [, fn] = worker()
    const [queueId] = importQueue()
    const [tableId] = resources('AWS::DynamoDB::GlobalTable')[0] as [string, Resource]
    const statements = statementsOf(fn)
    expect(actionsOn(statements, { 'Fn::GetAtt': [tableId, 'Arn'] })).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ])
    expect(JSON.stringify(statements)).not.toMatch(/\/index\//)
    const queueActions = actionsOn(statements, { 'Fn::GetAtt': [queueId, 'Arn'] })
    expect(queueActions).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:SendMessage']),
    )
    const every = statements.flatMap((statement) => [statement.Action].flat() as string[])
    expect(every.filter((action) => action.includes('*'))).toEqual([])
    // Besides the table, the queue and its logs: only active tracing (X-Ray has no resource-level permissions).
    expect(every.filter((action) => !/^(dynamodb|sqs|logs):/.test(action))).toEqual([
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ])
  })

  it('lets the API send to the import queue only, never receive from it', () => {
    const [, fn] = api()
    const [queueId] = importQueue()
    const statements = statementsOf(fn)
    expect(actionsOn(statements, { 'Fn::GetAtt': [queueId, 'Arn'] })).toEqual([
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ])
  })

  it('alarms on given-up jobs, worker errors and a backlog older than 30 minutes', () => {
    const [deadLettersId] = importDeadLetters()
    const [queueId] = importQueue()
    const [workerId] = worker()
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLettersId, 'QueueName'] } }],
      Threshold: 1,
    })
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: workerId } }],
    })
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 1800,
      Statistic: 'Maximum',
    })
  })
})
