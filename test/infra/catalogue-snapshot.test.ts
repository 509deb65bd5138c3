import { Match, type Template } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import { STAGE_NAMES, type StageName } from '../../infra/stage-config'
import { SNAPSHOT_KEYS, SNAPSHOT_STATE_TAG } from '../../shared/catalogue/snapshot/snapshot-store'
import { parseConfig } from '../../shared/platform/config'
import { keys } from '../../shared/platform/table'
import { synthStage } from './synth'

// Synthesised once per stage and only read by the tests below.
const templates = {} as Record<StageName, Template>
beforeAll(() => {
  for (const stage of STAGE_NAMES) templates[stage] = synthStage(stage).template
}, 180_000)

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string }

function only(template: Template, type: string, props: Record<string, unknown> = {}): [string, Resource] {
  const found = Object.entries(template.findResources(type, { Properties: Match.objectLike(props) }))
  expect(found, `${type} matching ${JSON.stringify(props)}`).toHaveLength(1)
  return found[0] as [string, Resource]
}

const functionNamed = (template: Template, description: RegExp): [string, Resource] => {
  const found = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([, r]) =>
    description.test((r as Resource).Properties.Description ?? ''),
  )
  expect(found).toHaveLength(1)
  return found[0] as [string, Resource]
}

function statementsOfRole(template: Template, fn: Resource): any[] {
  const roleId = fn.Properties.Role['Fn::GetAtt'][0]
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
}

/** action -> the resources it is granted on, for every statement of a role. */
function grants(template: Template, fn: Resource): Record<string, unknown[]> {
  const result: Record<string, unknown[]> = {}
  for (const statement of statementsOfRole(template, fn)) {
    expect(statement.Effect).toBe('Allow')
    for (const action of [statement.Action].flat() as string[]) {
      result[action] = [...(result[action] ?? []), ...[statement.Resource].flat()]
    }
  }
  return result
}

describe.each(STAGE_NAMES)('the %s catalogue snapshot', (stage) => {
  const template = () => templates[stage]
  const bucket = () => only(template(), 'AWS::S3::Bucket', { LifecycleConfiguration: Match.anyValue() })
  const bucketArn = () => ({ 'Fn::GetAtt': [bucket()[0], 'Arn'] })
  const objects = () => ({ 'Fn::Join': ['', [bucketArn(), '/catalogue/*']] })
  const table = () => only(template(), 'AWS::DynamoDB::GlobalTable')
  const publisher = () => functionNamed(template(), /publishes the catalogue snapshot/)
  /** Both API functions (public and write surfaces) load the snapshot on a cold start. */
  const apiFunctions = () => [
    functionNamed(template(), /public surface/),
    functionNamed(template(), /write surface/),
  ]
  const publisherQueueId = () => {
    const ids = Object.keys(template().findResources('AWS::SQS::Queue')).filter((id) =>
      id.startsWith('CatalogueSnapshotPublisherDeadLetters'),
    )
    expect(ids).toHaveLength(1)
    return ids[0]
  }

  it('keeps it in a private, encrypted, SSL-only bucket', () => {
    const [bucketId, resource] = bucket()
    expect(resource.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    })
    const [, policy] = only(template(), 'AWS::S3::BucketPolicy', { Bucket: { Ref: bucketId } })
    const statements = policy.Properties.PolicyDocument.Statement as any[]
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    )
    // Nobody but the roles granted below (and, in dev, CDK's bucket emptier) is allowed anything.
    const allowed = statements.filter((statement) => statement.Effect === 'Allow')
    expect(allowed.length).toBe(stage === 'prod' ? 0 : 1)
    for (const statement of allowed) {
      expect(JSON.stringify(statement.Principal)).toMatch(/AutoDeleteObjects/)
    }
    expect(resource.DeletionPolicy).toBe(stage === 'prod' ? 'Retain' : 'Delete')
  })

  it('expires superseded snapshots after a day and abandoned ones after a week, never the current one', () => {
    const [, resource] = bucket()
    const rules = resource.Properties.LifecycleConfiguration.Rules as any[]
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Prefix: SNAPSHOT_KEYS.prefix,
          TagFilters: [{ Key: SNAPSHOT_STATE_TAG, Value: 'superseded' }],
          ExpirationInDays: 1,
          Status: 'Enabled',
        }),
        expect.objectContaining({
          Prefix: SNAPSHOT_KEYS.prefix,
          TagFilters: [{ Key: SNAPSHOT_STATE_TAG, Value: 'pending' }],
          ExpirationInDays: 7,
        }),
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
      ]),
    )
    // Every expiring rule is scoped to snapshot objects by a state tag: the pointer and the current snapshot stay.
    for (const rule of rules.filter((r) => r.ExpirationInDays !== undefined)) {
      expect(rule.TagFilters.map((tag: { Value: string }) => tag.Value)).not.toContain('current')
    }
  })

  it('runs the publisher on the table stream, filtered to the catalogue version item and batched', () => {
    const [tableId, tableResource] = table()
    expect(tableResource.Properties.StreamSpecification).toEqual({ StreamViewType: 'KEYS_ONLY' })
    const [publisherId] = publisher()
    const queueId = publisherQueueId()
    // The import worker has a mapping of its own (on its queue).
    const [, mapping] = only(template(), 'AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: publisherId },
    })
    expect(mapping.Properties).toMatchObject({
      FunctionName: { Ref: publisherId },
      EventSourceArn: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      StartingPosition: 'LATEST',
      MaximumBatchingWindowInSeconds: 5,
      MaximumRetryAttempts: 5,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    })
    const filters = mapping.Properties.FilterCriteria.Filters as { Pattern: string }[]
    expect(filters.map((filter) => JSON.parse(filter.Pattern))).toEqual([
      {
        dynamodb: {
          Keys: {
            pk: { S: [keys.catalogueVersion().pk] },
            sk: { S: [keys.catalogueVersion().sk] },
          },
        },
      },
    ])
  })

  it('lets the publisher read the table and the stream and write the bucket, nothing more', () => {
    const [tableId] = table()
    const [, fn] = publisher()
    const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] }
    const streamArn = { 'Fn::GetAtt': [tableId, 'StreamArn'] }
    const granted = grants(template(), fn)
    expect(Object.keys(granted).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DescribeStream',
      'dynamodb:GetItem',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
      'dynamodb:Query',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      's3:PutObjectTagging',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ])
    for (const action of ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'])
      expect(granted[action], action).toEqual([tableArn])
    for (const action of ['dynamodb:GetRecords', 'dynamodb:GetShardIterator'])
      expect(granted[action], action).toEqual([streamArn])
    for (const action of ['s3:GetObject', 's3:PutObject', 's3:PutObjectTagging'])
      expect(granted[action], action).toEqual([objects()])
    expect(granted['s3:ListBucket']).toEqual([bucketArn()])
    expect(fn.Properties.Environment.Variables).toMatchObject({
      SNAPSHOT_BUCKET: { Ref: bucket()[0] },
      TABLE_NAME: { Ref: tableId },
    })
  })

  it('lets the API read the snapshot only, and bounds its staleness at one second', () => {
    for (const [, fn] of apiFunctions()) {
      const granted = grants(template(), fn)
      const s3Actions = Object.keys(granted).filter((action) => action.startsWith('s3:'))
      expect(s3Actions.sort()).toEqual(['s3:GetObject', 's3:ListBucket'])
      expect(granted['s3:GetObject']).toEqual([objects()])
      expect(fn.Properties.Environment.Variables).toMatchObject({
        SNAPSHOT_BUCKET: { Ref: bucket()[0] },
        CATALOGUE_MAX_STALENESS_MS: '1000',
      })
    }
    const env = apiFunctions()[0]![1].Properties.Environment.Variables
    const config = parseConfig({
      CATALOGUE_MAX_STALENESS_MS: env.CATALOGUE_MAX_STALENESS_MS,
      SNAPSHOT_BUCKET: 'fundfinder-snapshot-bucket',
    })
    expect(config).toMatchObject({
      catalogueMaxStalenessMs: 1000,
      snapshotBucket: 'fundfinder-snapshot-bucket',
    })
    expect(config.s3Endpoint).toBeUndefined()
  })

  it('alarms when the publisher fails or gives up on a batch', () => {
    const [publisherId] = publisher()
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: publisherId } }],
    })
    const queueId = publisherQueueId()
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
    })
  })
})
