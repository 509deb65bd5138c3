import { Capture, Match, type Template } from 'aws-cdk-lib/assertions'
import { Runtime } from 'aws-cdk-lib/aws-lambda'
import { beforeAll, describe, expect, it } from 'vitest'
import { LAMBDA_RUNTIME } from '../../infra/bundling'
import { EXPIRY_METRICS } from '../../infra/fundfinder-stack'
import { STAGE_NAMES, type StageName, stageConfigFromContext } from '../../infra/stage-config'
import { parseConfig } from '../../shared/platform/config'
import { INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../../shared/platform/table'
import { cdkContext, stageSettings, synthStage } from './synth'

// Synthesised once per stage (about 3 s each) and only read by the tests below.
const templates = {} as Record<StageName, Template>
beforeAll(() => {
  for (const stage of STAGE_NAMES) templates[stage] = synthStage(stage).template
}, 180_000)

type Resource = {
  Type: string
  Properties: Record<string, any>
  DeletionPolicy?: string
  UpdateReplacePolicy?: string
}

function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][]
}

/** The one resource of a type whose properties match; fails unless exactly one does. */
function only(template: Template, type: string, props: Record<string, unknown> = {}): [string, Resource] {
  const found = Object.entries(template.findResources(type, { Properties: Match.objectLike(props) }))
  expect(found, `${type} matching ${JSON.stringify(props)}`).toHaveLength(1)
  return found[0] as [string, Resource]
}

const functionNamed = (template: Template, description: RegExp) => {
  const found = resourcesOf(template, 'AWS::Lambda::Function').filter(([, r]) =>
    description.test(r.Properties.Description),
  )
  expect(found).toHaveLength(1)
  return found[0] as [string, Resource]
}
const apiFunction = (template: Template) => functionNamed(template, /HTTP API/)
/** The expiry schedule's dead-letter queue (the import queues are tested in async-imports.test.ts). */
const expiryDeadLetters = (template: Template) => {
  const found = resourcesOf(template, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('ExpiryDeadLetters'))
  expect(found).toHaveLength(1)
  return found[0] as [string, Resource]
}
const expiryFunction = (template: Template) => functionNamed(template, /expired instruments/)

/** Every statement of the inline policies attached to a role. */
function statementsOfRole(template: Template, roleArnRef: unknown) {
  const roleId = (roleArnRef as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as any[])
}
const actionsOf = (statements: any[]) => statements.flatMap((s) => [s.Action].flat() as string[]).sort()

describe.each(STAGE_NAMES)('the %s stack', (stage) => {
  const template = () => templates[stage]
  const settings = stageSettings(stage)

  it('builds the table from shared/platform/table.ts: keys, indexes, TTL, on-demand, PITR', () => {
    const [, table] = only(template(), 'AWS::DynamoDB::GlobalTable')
    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: TABLE_KEYS.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey.name, KeyType: 'RANGE' },
    ])
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST')
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true })
    const indexes = Object.fromEntries(
      (table.Properties.GlobalSecondaryIndexes as any[]).map((index) => [index.IndexName, index]),
    )
    expect(Object.keys(indexes).sort()).toEqual(Object.keys(INDEXES).sort())
    for (const [name, index] of Object.entries(INDEXES)) {
      expect(indexes[name].KeySchema).toEqual([
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' },
      ])
      expect(indexes[name].Projection).toEqual({ ProjectionType: 'ALL' })
    }
    const types = Object.fromEntries(
      (table.Properties.AttributeDefinitions as any[]).map((a) => [a.AttributeName, a.AttributeType]),
    )
    expect(types).toMatchObject({
      pk: 'S',
      sk: 'S',
      expiresAt: 'N',
      archivedAt: 'S',
      instrumentId: 'S',
      seq: 'N',
    })
    expect(table.Properties.Replicas).toEqual([
      expect.objectContaining({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
    ])
  })

  it(`${stage === 'prod' ? 'retains and deletion-protects' : 'may delete'} the table and the user pool`, () => {
    const [, table] = only(template(), 'AWS::DynamoDB::GlobalTable')
    const [, pool] = only(template(), 'AWS::Cognito::UserPool')
    const expected = stage === 'prod' ? 'Retain' : 'Delete'
    for (const resource of [table, pool]) {
      expect(resource.DeletionPolicy).toBe(expected)
      expect(resource.UpdateReplacePolicy).toBe(expected)
    }
    expect(table.Properties.Replicas).toEqual([
      expect.objectContaining({ DeletionProtectionEnabled: stage === 'prod' }),
    ])
    expect(pool.Properties.DeletionProtection).toBe(stage === 'prod' ? 'ACTIVE' : 'INACTIVE')
  })

  it('runs both functions on arm64, the newest Node.js runtime, with explicit memory and timeout', () => {
    const newestNode = Object.values(Runtime)
      .filter((r): r is Runtime => r instanceof Runtime && /^nodejs\d+\.x$/.test(r.name))
      .map((r) => Number(r.name.match(/\d+/)?.[0]))
      .sort((a, b) => b - a)[0]
    expect(LAMBDA_RUNTIME.name).toBe(`nodejs${newestNode}.x`)
    const [, api] = apiFunction(template())
    const [, expiry] = expiryFunction(template())
    for (const fn of [api, expiry]) {
      expect(fn.Properties).toMatchObject({
        Runtime: LAMBDA_RUNTIME.name,
        Architectures: ['arm64'],
        Handler: 'index.handler',
      })
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps')
    }
    expect(api.Properties).toMatchObject({ MemorySize: settings.apiMemoryMb, Timeout: 29 })
    expect(expiry.Properties).toMatchObject({ MemorySize: 512, Timeout: 300 })
  })

  it('gives each function its own log group with the stage retention', () => {
    for (const [, fn] of [apiFunction(template()), expiryFunction(template())]) {
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref
      const logGroup = template().toJSON().Resources[logGroupId]
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup')
      expect(logGroup.Properties.RetentionInDays).toBe(settings.logRetentionDays)
    }
  })

  it('configures the API to trust Cognito only: issuer and audience from the user pool and client', () => {
    const [poolId] = only(template(), 'AWS::Cognito::UserPool')
    const [clientId] = only(template(), 'AWS::Cognito::UserPoolClient')
    const [tableId] = only(template(), 'AWS::DynamoDB::GlobalTable')
    const [, api] = apiFunction(template())
    expect(api.Properties.Environment.Variables).toMatchObject({
      TABLE_NAME: { Ref: tableId },
      AUTH_ISSUER: { 'Fn::GetAtt': [poolId, 'ProviderURL'] },
      AUTH_AUDIENCE: { Ref: clientId },
      WEB_CLIENT_ID: { Ref: clientId },
      ARCHIVE_RETENTION_DAYS: String(settings.archiveRetentionDays),
      LOG_LEVEL: settings.logLevel,
    })
  })

  it("gives each function an environment that the app's own config schema accepts", () => {
    // Deploy-time values (tokens in the template) replaced by what CloudFormation resolves them to.
    const resolved: Record<string, string> = {
      AUTH_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
      AUTH_AUDIENCE: '4example0client0id',
      WEB_CLIENT_ID: '4example0client0id',
      COGNITO_DOMAIN: 'https://fundfinder-dev-123456789012.auth.eu-west-1.amazoncognito.com',
      TABLE_NAME: 'fundfinder-dev-CatalogueTable-ABC123',
      IMPORT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/fundfinder-dev-ImportsQueue',
    }
    for (const [, fn] of [apiFunction(template()), expiryFunction(template())]) {
      const env = Object.fromEntries(
        Object.entries<unknown>(fn.Properties.Environment.Variables).map(([name, value]) => [
          name,
          typeof value === 'string' ? value : resolved[name],
        ]),
      )
      expect(Object.values(env)).not.toContain(undefined)
      const config = parseConfig({ ...env, AWS_REGION: 'eu-west-1' })
      expect(config.auth.devIssuerKeyFile).toBeUndefined()
      expect(config.dynamodbEndpoint).toBeUndefined()
      expect(config.archiveRetentionDays).toBe(settings.archiveRetentionDays)
      expect(config.logLevel).toBe(settings.logLevel)
    }
    const [, api] = apiFunction(template())
    const apiConfig = parseConfig({ ...api.Properties.Environment.Variables, ...resolved })
    expect(apiConfig.auth).toMatchObject({ issuer: resolved.AUTH_ISSUER, audience: resolved.AUTH_AUDIENCE })
    expect(apiConfig.auth.jwksUrl).toBe(`${resolved.AUTH_ISSUER}/.well-known/jwks.json`)
    expect(apiConfig.webSignIn).toEqual({
      cognitoDomain: resolved.COGNITO_DOMAIN,
      clientId: resolved.WEB_CLIENT_ID,
    })
  })

  it('never configures the local dev issuer, a local DynamoDB endpoint or the region', () => {
    const functions = resourcesOf(template(), 'AWS::Lambda::Function')
    expect(functions.length).toBeGreaterThanOrEqual(2)
    for (const [, fn] of functions) {
      const names = Object.keys(fn.Properties.Environment?.Variables ?? {})
      expect(names).not.toContain('DEV_ISSUER_KEY_FILE')
      expect(names).not.toContain('DYNAMODB_ENDPOINT')
      expect(names).not.toContain('AWS_REGION')
      expect(names).not.toContain('AUTH_JWKS_URL')
    }
    expect(JSON.stringify(template().toJSON())).not.toMatch(/dev-issuer|DEV_ISSUER|localhost/)
  })

  it('grants the API item reads and writes on the table and its indexes, nothing table-level', () => {
    const [tableId] = only(template(), 'AWS::DynamoDB::GlobalTable')
    const [, api] = apiFunction(template())
    const statements = statementsOfRole(template(), api.Properties.Role)
    const tableStatements = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('dynamodb:')))
    expect(actionsOf(tableStatements)).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ])
    expect(tableStatements[0].Resource).toEqual([
      { 'Fn::GetAtt': [tableId, 'Arn'] },
      ...['archiveByTime', 'auditByInstrument', 'liveByExpiry'].map((index) => ({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, `/index/${index}`]],
      })),
    ])
    const everyAction = actionsOf(statements)
    expect(everyAction).not.toContain('dynamodb:DeleteTable')
    expect(everyAction).not.toContain('dynamodb:Scan')
    expect(everyAction.filter((a) => a.includes('*'))).toEqual([])
    // Besides its log group, the API may only hand import jobs to the import queue.
    expect(everyAction.filter((a) => !a.startsWith('dynamodb:'))).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:SendMessage',
    ])
  })

  it('grants the expiry job its index, item writes and its DLQ, and nothing on Cognito', () => {
    const [tableId] = only(template(), 'AWS::DynamoDB::GlobalTable')
    const [queueId] = expiryDeadLetters(template())
    const [, expiry] = expiryFunction(template())
    const statements = statementsOfRole(template(), expiry.Properties.Role)
    const everyAction = actionsOf(statements)
    expect(everyAction.filter((a) => a.startsWith('cognito'))).toEqual([])
    expect(everyAction.filter((a) => a.includes('*'))).toEqual([])
    expect(everyAction).not.toContain('dynamodb:Scan')
    expect(everyAction).not.toContain('dynamodb:DeleteTable')
    const tableStatement = statements.find((s) => actionsOf([s]).includes('dynamodb:Query'))
    expect(tableStatement.Resource).toEqual([
      { 'Fn::GetAtt': [tableId, 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/liveByExpiry']] },
    ])
    const queueStatement = statements.find((s) => actionsOf([s]).includes('sqs:SendMessage'))
    expect(queueStatement.Resource).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] })
    expect(everyAction.filter((a) => !a.startsWith('dynamodb:') && !a.startsWith('sqs:'))).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ])
  })

  it('attaches no AWS managed policies to the function roles', () => {
    for (const [, fn] of [apiFunction(template()), expiryFunction(template())]) {
      const roleId = fn.Properties.Role['Fn::GetAtt'][0]
      expect(template().toJSON().Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined()
    }
  })

  it('runs the expiry job hourly in Europe/Brussels, with retries and a dead-letter queue', () => {
    const [expiryId] = expiryFunction(template())
    const [queueId, queue] = expiryDeadLetters(template())
    const expression = new Capture()
    template().hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: 'Europe/Brussels',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [expiryId, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: Match.anyValue(), MaximumEventAgeInSeconds: 3600 },
      },
    })
    // minute 1 of every hour, every day: at least hourly.
    expect(expression.asString()).toBe('cron(1 * * * ? *)')
    // The scheduler invokes asynchronously; runs that fail after Lambda's retries also land in the DLQ.
    template().hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: expiryId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    })
    expect(queue.Properties.SqsManagedSseEnabled).toBe(true)
    template().hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    })
  })

  it('fronts the API function with an HTTP API: one catch-all route, throttling, access logs', () => {
    const [apiId] = apiFunction(template())
    const [integrationId] = only(template(), 'AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [apiId, 'Arn'] },
      PayloadFormatVersion: '2.0',
    })
    const [, route] = only(template(), 'AWS::ApiGatewayV2::Route')
    expect(route.Properties).toMatchObject({
      RouteKey: '$default',
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] },
    })
    const [, apiStage] = only(template(), 'AWS::ApiGatewayV2::Stage')
    expect(apiStage.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: settings.throttle?.rateLimit,
        ThrottlingBurstLimit: settings.throttle?.burstLimit,
      },
    })
    const format = JSON.parse(apiStage.Properties.AccessLogSettings.Format)
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' })
    const logGroupId = apiStage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0]
    expect(template().toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(
      settings.logRetentionDays,
    )
    template().hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [apiId, 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
    })
  })

  it('has a Cognito pool with admin and editor groups, a strong password policy, MFA and PKCE web client', () => {
    const [poolId, pool] = only(template(), 'AWS::Cognito::UserPool')
    expect(pool.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: {
        PasswordPolicy: {
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
    })
    const groups = resourcesOf(template(), 'AWS::Cognito::UserPoolGroup').map(([, g]) => {
      expect(g.Properties.UserPoolId).toEqual({ Ref: poolId })
      return g.Properties.GroupName
    })
    expect(groups.sort()).toEqual(['admin', 'editor'])
    const [, client] = only(template(), 'AWS::Cognito::UserPoolClient')
    expect(client.Properties).toMatchObject({
      UserPoolId: { Ref: poolId },
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: expect.arrayContaining(['openid']),
      SupportedIdentityProviders: ['COGNITO'],
    })
    expect(client.Properties.AllowedOAuthFlows).not.toContain('implicit')
    expect(JSON.stringify(client.Properties.CallbackURLs)).toContain('/admin/callback')
  })

  it('alarms on function errors and throttles, DLQ messages, the API 5xx rate and expiry failures', () => {
    const [topicId] = only(template(), 'AWS::SNS::Topic')
    const alarms = resourcesOf(template(), 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties)
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }])
    const [apiId] = apiFunction(template())
    const [expiryId] = expiryFunction(template())
    for (const fnId of [apiId, expiryId]) {
      for (const metricName of ['Errors', 'Throttles']) {
        template().hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: metricName,
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        })
      }
    }
    const [queueId] = expiryDeadLetters(template())
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
    })
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: EXPIRY_METRICS.namespace,
      MetricName: 'ExpiryFailures',
      Dimensions: [{ Name: 'service', Value: EXPIRY_METRICS.service }],
      Statistic: 'Sum',
    })
    const [httpApiId] = only(template(), 'AWS::ApiGatewayV2::Api')
    template().hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 5,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(requests > 0, 100 * errors / requests, 0)' }),
        Match.objectLike({
          Id: 'errors',
          MetricStat: Match.objectLike({
            Metric: {
              Namespace: 'AWS/ApiGateway',
              MetricName: '5xx',
              Dimensions: [{ Name: 'ApiId', Value: { Ref: httpApiId } }],
            },
          }),
        }),
      ]),
    })
  })

  it('outputs the API URL, the user pool id and the client id', () => {
    const outputs = template().toJSON().Outputs
    const [poolId] = only(template(), 'AWS::Cognito::UserPool')
    const [clientId] = only(template(), 'AWS::Cognito::UserPoolClient')
    expect(outputs.UserPoolId.Value).toEqual({ Ref: poolId })
    expect(outputs.UserPoolClientId.Value).toEqual({ Ref: clientId })
    expect(JSON.stringify(outputs.ApiUrl.Value)).toContain('.execute-api.')
  })
})

describe('stage settings', () => {
  it('states how prod differs from dev', () => {
    const dev = stageSettings('dev')
    const prod = stageSettings('prod')
    expect(dev.retainData).toBe(false)
    expect(prod.retainData).toBe(true)
    expect(prod.logRetentionDays).toBeGreaterThan(dev.logRetentionDays ?? 0)
    expect(prod.throttle?.rateLimit).toBeGreaterThan(dev.throttle?.rateLimit ?? 0)
  })

  it('defaults to dev and rejects an unknown stage or a bad setting with a readable message', () => {
    expect(stageConfigFromContext(cdkContext('dev')).stage).toBe('dev')
    expect(stageConfigFromContext({ ...cdkContext('dev'), stage: undefined }).stage).toBe('dev')
    expect(() => stageConfigFromContext({ ...cdkContext('dev'), stage: 'staging' })).toThrow(/stage/)
    expect(() => stageConfigFromContext(cdkContext('prod', { logRetentionDays: 8 }))).toThrow(
      /prod[\s\S]*logRetentionDays: must be one of/,
    )
    expect(() => stageConfigFromContext(cdkContext('dev', { corsOrigins: ['not a url'] }))).toThrow(
      /corsOrigins/,
    )
  })

  it('configures CORS on the HTTP API and in the function from the stage origins', () => {
    const { template } = synthStage('dev', { corsOrigins: ['https://partner.example.org'] })

    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ['https://partner.example.org'],
        AllowHeaders: Match.arrayWith(['authorization', 'if-match']),
      }),
    })
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CORS_ORIGINS: 'https://partner.example.org' }) },
    })
    // Without origins, no CORS configuration at all (same-origin only).
    const [, api] = only(templates.dev, 'AWS::ApiGatewayV2::Api')
    expect(api.Properties.CorsConfiguration).toBeUndefined()
  }, 120_000)

  it('subscribes the alarm email when a stage sets one', () => {
    const { template } = synthStage('prod', { alarmEmail: 'ops@example.org' })
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.org',
    })
    expect(templates.prod.findResources('AWS::SNS::Subscription')).toEqual({})
  }, 120_000)
})
