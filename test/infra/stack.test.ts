import { Capture, Match, type Template } from 'aws-cdk-lib/assertions'
import { Runtime } from 'aws-cdk-lib/aws-lambda'
import { beforeAll, describe, expect, it } from 'vitest'
import { EXPIRY_METRICS } from '../../functions/expire-instruments/metrics'
import { LAMBDA_RUNTIME } from '../../infra/bundling'
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

/**
 * The project's own functions: CDK's custom-resource providers (the dev stack's bucket emptying on
 * delete) are CDK's code, deployed and configured by CDK, not one of ours.
 */
const ownFunctions = (template: Template) =>
  resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) => !id.startsWith('Custom'))

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
/** The expiry job's dead-letter queue (the digests have their own). */
const expiryQueue = (template: Template) => {
  const found = resourcesOf(template, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('ExpiryDeadLetters'))
  expect(found).toHaveLength(1)
  return found[0] as [string, Resource]
}
const publicFunction = (template: Template) => functionNamed(template, /public surface/)
const writeFunction = (template: Template) => functionNamed(template, /write surface/)
const expiryFunction = (template: Template) => functionNamed(template, /expired instruments/)
const preTokenFunction = (template: Template) => functionNamed(template, /access tokens/)
const everyFunction = (template: Template) => [
  publicFunction(template),
  writeFunction(template),
  expiryFunction(template),
  preTokenFunction(template),
  functionNamed(template, /due email digests/),
  functionNamed(template, /bounced and complaining/),
  functionNamed(template, /syncs calls from the EU/),
  functionNamed(template, /publishes the catalogue snapshot/),
  functionNamed(template, /asynchronous instrument imports/),
]

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

  it('runs every function on arm64, the newest Node.js runtime, traced, with explicit memory and timeout', () => {
    const newestNode = Object.values(Runtime)
      .filter((r): r is Runtime => r instanceof Runtime && /^nodejs\d+\.x$/.test(r.name))
      .map((r) => Number(r.name.match(/\d+/)?.[0]))
      .sort((a, b) => b - a)[0]
    expect(LAMBDA_RUNTIME.name).toBe(`nodejs${newestNode}.x`)
    const functions = everyFunction(template())
    expect(ownFunctions(template())).toHaveLength(functions.length)
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: LAMBDA_RUNTIME.name,
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
      })
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps')
    }
    const [, publicApi] = publicFunction(template())
    const [, writeApi] = writeFunction(template())
    const [, expiry] = expiryFunction(template())
    const [, preToken] = preTokenFunction(template())
    const apiFunctions = settings.apiFunctions!
    expect(publicApi.Properties).toMatchObject({
      MemorySize: apiFunctions.public.memoryMb,
      Timeout: 29,
      ReservedConcurrentExecutions: apiFunctions.public.reservedConcurrency,
    })
    expect(writeApi.Properties).toMatchObject({
      MemorySize: apiFunctions.write.memoryMb,
      Timeout: 29,
      ReservedConcurrentExecutions: apiFunctions.write.reservedConcurrency,
    })
    // One expiry run at a time; the Cognito trigger is bounded by Cognito's own sign-in quotas.
    expect(expiry.Properties).toMatchObject({
      MemorySize: 512,
      Timeout: 300,
      ReservedConcurrentExecutions: 1,
    })
    expect(preToken.Properties).toMatchObject({ MemorySize: 256, Timeout: 5 })
    // Provisioned concurrency is 0 by default: no alias, no published version.
    expect(template().findResources('AWS::Lambda::Alias')).toEqual({})
    expect(template().findResources('AWS::Lambda::Version')).toEqual({})
  })

  it('gives each function its own log group with the stage retention', () => {
    for (const [, fn] of everyFunction(template())) {
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref
      const logGroup = template().toJSON().Resources[logGroupId]
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup')
      expect(logGroup.Properties.RetentionInDays).toBe(settings.logRetentionDays)
    }
  })

  it('configures both API functions to trust Cognito only, each with its own surface', () => {
    const [poolId] = only(template(), 'AWS::Cognito::UserPool')
    const [clientId] = only(template(), 'AWS::Cognito::UserPoolClient')
    const [tableId] = only(template(), 'AWS::DynamoDB::GlobalTable')
    for (const [[, fn], surface] of [
      [publicFunction(template()), 'public'],
      [writeFunction(template()), 'write'],
    ] as const) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        API_SURFACE: surface,
        TABLE_NAME: { Ref: tableId },
        AUTH_ISSUER: { 'Fn::GetAtt': [poolId, 'ProviderURL'] },
        AUTH_AUDIENCE: { Ref: clientId },
        WEB_CLIENT_ID: { Ref: clientId },
        ARCHIVE_RETENTION_DAYS: String(settings.archiveRetentionDays),
        LOG_LEVEL: settings.logLevel,
      })
    }
    // Each runs a bundle of its own: the public one only the public surface's share of the app
    // (test/infra/bundles.test.ts runs both, as packaged).
    expect(publicFunction(template())[1].Properties.Code).not.toEqual(
      writeFunction(template())[1].Properties.Code,
    )
  })

  it("gives each function an environment that the app's own config schema accepts", () => {
    // Deploy-time values (tokens in the template) replaced by what CloudFormation resolves them to.
    const resolved: Record<string, string> = {
      AUTH_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
      AUTH_AUDIENCE: '4example0client0id',
      WEB_CLIENT_ID: '4example0client0id',
      COGNITO_DOMAIN: 'https://fundfinder-dev-123456789012.auth.eu-west-1.amazoncognito.com',
      TABLE_NAME: 'fundfinder-dev-CatalogueTable-ABC123',
      PUBLIC_BASE_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/',
      SES_CONFIGURATION_SET: 'DigestsConfigurationSet0AB1C2D3-xyz',
      SYNC_CONTACT_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/',
      SNAPSHOT_BUCKET: 'fundfinder-dev-cataloguesnapshotbucket-abc123',
      IMPORT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/fundfinder-dev-ImportsQueue',
    }
    for (const [, fn] of everyFunction(template())) {
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
    }
    for (const [[, fn], surface] of [
      [publicFunction(template()), 'public'],
      [writeFunction(template()), 'write'],
    ] as const) {
      const apiConfig = parseConfig({ ...fn.Properties.Environment.Variables, ...resolved })
      expect(apiConfig.apiSurface).toBe(surface)
      expect(apiConfig.archiveRetentionDays).toBe(settings.archiveRetentionDays)
      expect(apiConfig.logLevel).toBe(settings.logLevel)
      expect(apiConfig.auth).toMatchObject({ issuer: resolved.AUTH_ISSUER, audience: resolved.AUTH_AUDIENCE })
      expect(apiConfig.auth.jwksUrl).toBe(`${resolved.AUTH_ISSUER}/.well-known/jwks.json`)
      expect(apiConfig.webSignIn).toEqual({
        cognitoDomain: resolved.COGNITO_DOMAIN,
        clientId: resolved.WEB_CLIENT_ID,
      })
    }
  })

  it('never configures the local dev issuer, a local DynamoDB endpoint or the region', () => {
    const functions = ownFunctions(template())
    expect(functions.length).toBe(everyFunction(template()).length)
    for (const [, fn] of functions) {
      const names = Object.keys(fn.Properties.Environment?.Variables ?? {})
      expect(names).not.toContain('DEV_ISSUER_KEY_FILE')
      expect(names).not.toContain('DYNAMODB_ENDPOINT')
      expect(names).not.toContain('AWS_REGION')
      expect(names).not.toContain('AUTH_JWKS_URL')
    }
    expect(JSON.stringify(template().toJSON())).not.toMatch(/dev-issuer|DEV_ISSUER|localhost/)
  })

  describe('least privilege: each function role holds exactly what its code uses', () => {
    const tableArn = () => ({ 'Fn::GetAtt': [only(template(), 'AWS::DynamoDB::GlobalTable')[0], 'Arn'] })
    const indexArn = (index: string) => ({ 'Fn::Join': ['', [tableArn(), `/index/${index}`]] })
    /** The role's statements by service: { dynamodb: { actions, resources }, ... }. */
    const grants = (fn: [string, Resource]) => {
      const statements = statementsOfRole(template(), fn[1].Properties.Role)
      const byService: Record<string, { actions: string[]; resources: unknown[] }> = {}
      for (const statement of statements) {
        const actions = actionsOf([statement])
        const service = actions[0]?.split(':')[0] ?? ''
        expect(actions.every((action) => action.startsWith(`${service}:`))).toBe(true)
        const entry = byService[service] ?? { actions: [], resources: [] }
        entry.actions = [...entry.actions, ...actions].sort()
        entry.resources.push(...[statement.Resource].flat())
        byService[service] = entry
      }
      return byService
    }
    const commonGrants = (fn: [string, Resource]) => ({
      logs: {
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [{ 'Fn::GetAtt': [fn[1].Properties.LoggingConfig.LogGroup.Ref, 'Arn'] }],
      },
      // What active tracing needs; X-Ray's actions have no resource-level permissions.
      xray: { actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], resources: ['*'] },
    })

    // The catalogue snapshot, read-only (test/infra/catalogue-snapshot.test.ts checks the resources).
    const snapshotRead = { actions: ['s3:GetObject', 's3:ListBucket'], resources: expect.any(Array) }

    it('public API: item reads on the table itself, no index, no write; reads the snapshot', () => {
      const fn = publicFunction(template())
      expect(grants(fn)).toEqual({
        ...commonGrants(fn),
        dynamodb: {
          actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
          resources: [tableArn()],
        },
        s3: snapshotRead,
      })
    })

    it('write API: item reads and writes, the archive, audit and review indexes, SES sending, not the expiry index', () => {
      const fn = writeFunction(template())
      expect(grants(fn)).toEqual({
        ...commonGrants(fn),
        dynamodb: {
          actions: [
            'dynamodb:BatchGetItem',
            'dynamodb:DeleteItem',
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:Query',
            'dynamodb:UpdateItem',
          ],
          resources: [
            tableArn(),
            indexArn('archiveByTime'),
            indexArn('auditByInstrument'),
            indexArn('reviewQueue'),
            indexArn('reviewQueueByCountry'),
          ],
        },
        // Confirmation emails: SES sending only (the statement is checked in digests.test.ts).
        ses: expect.objectContaining({ actions: ['ses:SendEmail', 'ses:SendRawEmail'] }),
        s3: snapshotRead,
        // Queues imports over the synchronous bound (test/infra/async-imports.test.ts checks the queue).
        sqs: expect.objectContaining({
          actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        }),
      })
    })

    it('expiry job: its index, item writes and its dead-letter queue', () => {
      const fn = expiryFunction(template())
      const [queueId] = expiryQueue(template())
      expect(grants(fn)).toEqual({
        ...commonGrants(fn),
        dynamodb: {
          actions: [
            'dynamodb:BatchGetItem',
            'dynamodb:DeleteItem',
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:Query',
            'dynamodb:UpdateItem',
          ],
          resources: [tableArn(), indexArn('liveByExpiry')],
        },
        sqs: {
          actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
          resources: [{ 'Fn::GetAtt': [queueId, 'Arn'] }],
        },
      })
    })

    it('pre-token-generation trigger: nothing but its logs and traces', () => {
      const fn = preTokenFunction(template())
      expect(grants(fn)).toEqual(commonGrants(fn))
    })
  })

  it('attaches no AWS managed policies to the function roles', () => {
    for (const [, fn] of everyFunction(template())) {
      const roleId = fn.Properties.Role['Fn::GetAtt'][0]
      expect(template().toJSON().Resources[roleId].Properties.ManagedPolicyArns).toBeUndefined()
    }
  })

  it('runs the expiry job hourly in Europe/Brussels, with retries and a dead-letter queue', () => {
    const [expiryId] = expiryFunction(template())
    const [queueId, queue] = expiryQueue(template())
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

  it('routes write routes to the write function behind the Cognito JWT authorizer, the rest to the public one', () => {
    const [publicId] = publicFunction(template())
    const [writeId] = writeFunction(template())
    const [poolId] = only(template(), 'AWS::Cognito::UserPool')
    const [clientId] = only(template(), 'AWS::Cognito::UserPoolClient')
    const [httpApiId] = only(template(), 'AWS::ApiGatewayV2::Api')
    const integrationOf = (functionId: string) =>
      only(template(), 'AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: { 'Fn::GetAtt': [functionId, 'Arn'] },
        PayloadFormatVersion: '2.0',
      })[0]
    const target = (functionId: string) => ({
      'Fn::Join': ['', ['integrations/', { Ref: integrationOf(functionId) }]],
    })
    const [authorizerId, authorizer] = only(template(), 'AWS::ApiGatewayV2::Authorizer')
    expect(authorizer.Properties).toMatchObject({
      ApiId: { Ref: httpApiId },
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        // Cognito ID tokens carry the client id in `aud`, access tokens in `client_id`: both pass.
        Audience: [{ Ref: clientId }],
        Issuer: {
          'Fn::Join': [
            '',
            ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: poolId }],
          ],
        },
      },
    })

    const behindAuthorizer = [
      'POST /v1/instruments',
      'POST /v1/instruments/{proxy+}',
      'PUT /v1/instruments',
      'PUT /v1/instruments/{proxy+}',
      'DELETE /v1/instruments',
      'DELETE /v1/instruments/{proxy+}',
      'ANY /v1/admin',
      'ANY /v1/admin/{proxy+}',
      'ANY /v1/projects',
      'ANY /v1/projects/{proxy+}',
    ]
    // The admin pages (a cookie session, verified by the app, that redirects to sign-in) and the
    // public subscription writes (double opt-in; the emailed link's token is the credential).
    const cookiePages = [
      'ANY /admin',
      'ANY /admin/{proxy+}',
      'POST /v1/subscriptions',
      'POST /v1/subscriptions/{proxy+}',
      'POST /subscriptions',
      'POST /subscriptions/{proxy+}',
    ]
    const routes = Object.fromEntries(
      resourcesOf(template(), 'AWS::ApiGatewayV2::Route').map(([, route]) => [
        route.Properties.RouteKey,
        route.Properties,
      ]),
    )
    expect(Object.keys(routes).sort()).toEqual([...behindAuthorizer, ...cookiePages, '$default'].sort())
    for (const key of behindAuthorizer) {
      expect(routes[key], key).toEqual({
        ApiId: { Ref: httpApiId },
        RouteKey: key,
        Target: target(writeId),
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: authorizerId },
      })
    }
    for (const key of cookiePages) {
      expect(routes[key], key).toEqual({
        ApiId: { Ref: httpApiId },
        RouteKey: key,
        Target: target(writeId),
        AuthorizationType: 'NONE',
      })
    }
    expect(routes.$default).toEqual({
      ApiId: { Ref: httpApiId },
      RouteKey: '$default',
      Target: target(publicId),
      AuthorizationType: 'NONE',
    })
    // API Gateway may invoke each function, only from this API.
    const permissions = resourcesOf(template(), 'AWS::Lambda::Permission').filter(
      ([, permission]) => permission.Properties.Principal === 'apigateway.amazonaws.com',
    )
    expect(new Set(permissions.map(([, p]) => p.Properties.FunctionName['Fn::GetAtt'][0]))).toEqual(
      new Set([publicId, writeId]),
    )
    for (const [, permission] of permissions) {
      expect(JSON.stringify(permission.Properties.SourceArn)).toContain(httpApiId)
    }
  })

  it('throttles the stage and writes access logs keyed by the request id, with a count of 429s', () => {
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
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      authorizerError: '$context.authorizer.error',
    })
    const logGroupId = apiStage.Properties.AccessLogSettings.DestinationArn['Fn::GetAtt'][0]
    expect(template().toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(
      settings.logRetentionDays,
    )
    const [, filter] = only(template(), 'AWS::Logs::MetricFilter')
    expect(filter.Properties).toEqual({
      LogGroupName: { Ref: logGroupId },
      FilterPattern: '{ $.status = "429" }',
      MetricTransformations: [
        { MetricNamespace: 'fundfinder', MetricName: 'ApiResponses429', MetricValue: '1', DefaultValue: 0 },
      ],
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
    // The API's own URL, exactly as the pages build both from the request's origin.
    const apiOrigin = [
      'https://',
      { Ref: only(template(), 'AWS::ApiGatewayV2::Api')[0] },
      '.execute-api.',
      { Ref: 'AWS::Region' },
      '.',
      { Ref: 'AWS::URLSuffix' },
    ]
    const withPath = (path: string) => ({ 'Fn::Join': ['', [...apiOrigin, `/${path}`]] })
    expect(client.Properties.CallbackURLs).toEqual([withPath('admin/callback')])
    expect(client.Properties.LogoutURLs).toEqual([withPath('')])
  })

  it('declares custom:org and custom:countries that only admins write, and copies them into access tokens', () => {
    const [poolId, pool] = only(template(), 'AWS::Cognito::UserPool')
    expect(pool.Properties.Schema).toEqual([
      {
        Name: 'org',
        AttributeDataType: 'String',
        Mutable: true,
        StringAttributeConstraints: { MinLength: '1', MaxLength: '100' },
      },
      {
        Name: 'countries',
        AttributeDataType: 'String',
        Mutable: true,
        StringAttributeConstraints: { MinLength: '1', MaxLength: '1024' },
      },
    ])
    const [, client] = only(template(), 'AWS::Cognito::UserPoolClient')
    expect(client.Properties.ReadAttributes).toEqual(
      expect.arrayContaining(['custom:org', 'custom:countries']),
    )
    // Listed explicitly: a client without WriteAttributes may write every writable attribute.
    expect(client.Properties.WriteAttributes).toEqual(['name'])
    // The V2 event: the only one that can add claims to access tokens (Essentials plan).
    const [preTokenId] = preTokenFunction(template())
    expect(pool.Properties.UserPoolTier).toBe('ESSENTIALS')
    expect(pool.Properties.LambdaConfig).toEqual({
      PreTokenGenerationConfig: { LambdaArn: { 'Fn::GetAtt': [preTokenId, 'Arn'] }, LambdaVersion: 'V2_0' },
    })
    template().hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [preTokenId, 'Arn'] },
      Principal: 'cognito-idp.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [poolId, 'Arn'] },
    })
  })

  describe('alarms: each watches its metric, with its threshold and its treatment of missing data', () => {
    const alarms = () =>
      resourcesOf(template(), 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties)
    const alarmDescribed = (description: RegExp) => {
      const found = alarms().filter((alarm) => description.test(alarm.AlarmDescription))
      expect(found, String(description)).toHaveLength(1)
      return found[0] as Record<string, any>
    }
    const fires = { ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' }

    it('every alarm notifies the alarm topic, on alarm and on recovery', () => {
      const [topicId] = only(template(), 'AWS::SNS::Topic', { DisplayName: 'fundfinder alarms' })
      expect(alarms()).toHaveLength(34)
      for (const alarm of alarms()) {
        expect(alarm.AlarmActions).toEqual([{ Ref: topicId }])
        expect(alarm.OKActions).toEqual([{ Ref: topicId }])
      }
    })

    it('errors and throttles of each function', () => {
      for (const [fnId] of everyFunction(template())) {
        for (const metricName of ['Errors', 'Throttles']) {
          const found = alarms().filter(
            (alarm) => alarm.MetricName === metricName && alarm.Dimensions?.[0]?.Value?.Ref === fnId,
          )
          expect(found, `${metricName} of ${fnId}`).toEqual([
            expect.objectContaining({
              ...fires,
              Namespace: 'AWS/Lambda',
              Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
              Statistic: 'Sum',
              Period: 300,
              Threshold: 1,
            }),
          ])
        }
      }
    })

    it('the API: 5xx rate, p99 latency, 429 responses', () => {
      const [httpApiId] = only(template(), 'AWS::ApiGatewayV2::Api')
      const rate = alarmDescribed(/5xx/)
      expect(rate).toMatchObject({ ...fires, Threshold: 5, EvaluationPeriods: 3, DatapointsToAlarm: 2 })
      expect(rate.Metrics).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Expression: 'IF(requests > 0, 100 * errors / requests, 0)' }),
          expect.objectContaining({
            Id: 'errors',
            MetricStat: expect.objectContaining({
              Metric: {
                Namespace: 'AWS/ApiGateway',
                MetricName: '5xx',
                Dimensions: [{ Name: 'ApiId', Value: { Ref: httpApiId } }],
              },
              Stat: 'Sum',
            }),
          }),
          expect.objectContaining({
            Id: 'requests',
            MetricStat: expect.objectContaining({
              Metric: {
                Namespace: 'AWS/ApiGateway',
                MetricName: 'Count',
                Dimensions: [{ Name: 'ApiId', Value: { Ref: httpApiId } }],
              },
            }),
          }),
        ]),
      )
      expect(alarmDescribed(/p99 latency/)).toMatchObject({
        ...fires,
        Namespace: 'AWS/ApiGateway',
        MetricName: 'Latency',
        Dimensions: [{ Name: 'ApiId', Value: { Ref: httpApiId } }],
        ExtendedStatistic: 'p99',
        Period: 300,
        Threshold: 3000,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
      })
      expect(alarmDescribed(/429/)).toMatchObject({
        ...fires,
        Namespace: 'fundfinder',
        MetricName: 'ApiResponses429',
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
      })
    })

    it('DynamoDB throttled requests, summed over every operation the functions send', () => {
      const [tableId] = only(template(), 'AWS::DynamoDB::GlobalTable')
      const alarm = alarmDescribed(/DynamoDB throttled/)
      expect(alarm).toMatchObject({ ...fires, Threshold: 1 })
      const throttled = (alarm.Metrics as any[]).filter((m) => m.MetricStat)
      expect(throttled.map((m) => m.MetricStat.Metric.Dimensions)).toEqual(
        [
          'GetItem',
          'BatchGetItem',
          'Query',
          'PutItem',
          'UpdateItem',
          'DeleteItem',
          'BatchWriteItem',
          'TransactWriteItems',
        ].map((operation) => [
          { Name: 'Operation', Value: operation },
          { Name: 'TableName', Value: { Ref: tableId } },
        ]),
      )
      for (const metric of throttled) {
        expect(metric.MetricStat).toMatchObject({
          Metric: { Namespace: 'AWS/DynamoDB', MetricName: 'ThrottledRequests' },
          Stat: 'Sum',
          Period: 300,
        })
      }
      const expression = (alarm.Metrics as any[]).find((m) => m.Expression)
      expect(expression.Expression.split(' + ').sort()).toEqual(throttled.map((m) => m.Id).sort())
    })

    it('the expiry job: failures, dead letters, and a heartbeat that treats silence as failure', () => {
      const [queueId] = expiryQueue(template())
      expect(alarmDescribed(/Expiry runs that failed/)).toMatchObject({
        ...fires,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        Threshold: 1,
      })
      expect(alarmDescribed(/could not archive/)).toMatchObject({
        ...fires,
        Namespace: EXPIRY_METRICS.namespace,
        MetricName: 'ExpiryFailures',
        Dimensions: [{ Name: 'service', Value: EXPIRY_METRICS.service }],
        Statistic: 'Sum',
        Period: 3600,
        Threshold: 1,
      })
      expect(alarmDescribed(/No successful expiry run/)).toMatchObject({
        Namespace: EXPIRY_METRICS.namespace,
        MetricName: 'ExpirySucceeded',
        Dimensions: [{ Name: 'service', Value: EXPIRY_METRICS.service }],
        Statistic: 'Sum',
        Period: 3600,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      })
    })
  })

  it('has a dashboard of requests, errors, latency, throttles, DynamoDB capacity and the expiry job', () => {
    const [, dashboard] = only(template(), 'AWS::CloudWatch::Dashboard')
    // The body is a JSON document joined with deploy-time references; its literal parts suffice.
    const body = (dashboard.Properties.DashboardBody['Fn::Join'][1] as unknown[])
      .map((part) => (typeof part === 'string' ? part : '<ref>'))
      .join('')
    const widgets = JSON.parse(body).widgets as { properties: { title?: string; metrics?: unknown[][] } }[]
    const graphs = Object.fromEntries(
      widgets
        .filter((w) => w.properties.metrics)
        .map((w) => [w.properties.title, JSON.stringify(w.properties.metrics)]),
    )
    expect(Object.keys(graphs)).toEqual([
      'API requests and errors',
      'API latency (ms)',
      'API 429 responses',
      'DynamoDB consumed capacity',
      'DynamoDB throttled requests',
      'Lambda invocations',
      'Lambda errors',
      'Lambda throttles',
      'Lambda duration p99 (ms)',
      'Expiry runs',
      'Instruments archived',
    ])
    for (const metric of ['"Count"', '"4xx"', '"5xx"'])
      expect(graphs['API requests and errors']).toContain(metric)
    expect(graphs['API latency (ms)']).toMatch(/"Latency".*"p50".*"Latency".*"p99"/)
    expect(graphs['API 429 responses']).toContain('"ApiResponses429"')
    expect(graphs['DynamoDB consumed capacity']).toMatch(
      /ConsumedReadCapacityUnits.*ConsumedWriteCapacityUnits/,
    )
    expect(graphs['DynamoDB throttled requests']).toContain('ThrottledRequests')
    for (const title of [
      'Lambda invocations',
      'Lambda errors',
      'Lambda throttles',
      'Lambda duration p99 (ms)',
    ]) {
      expect(graphs[title]?.match(/<ref>/g), title).toHaveLength(everyFunction(template()).length)
    }
    expect(graphs['Expiry runs']).toMatch(/"Invocations".*"ExpirySucceeded".*"ExpiryFailures"/)
    expect(graphs['Instruments archived']).toContain('"InstrumentsArchived"')
  })

  it('outputs the API URL, the table, the user pool and client ids, the dashboard', () => {
    const outputs = template().toJSON().Outputs
    const [poolId] = only(template(), 'AWS::Cognito::UserPool')
    const [clientId] = only(template(), 'AWS::Cognito::UserPoolClient')
    const [tableId] = only(template(), 'AWS::DynamoDB::GlobalTable')
    expect(outputs.UserPoolId.Value).toEqual({ Ref: poolId })
    expect(outputs.UserPoolClientId.Value).toEqual({ Ref: clientId })
    expect(outputs.TableName.Value).toEqual({ Ref: tableId })
    expect(JSON.stringify(outputs.ApiUrl.Value)).toContain('.execute-api.')
    expect(outputs.DashboardName.Value).toEqual({ Ref: only(template(), 'AWS::CloudWatch::Dashboard')[0] })
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
    const dev = stageSettings('dev')
    const apiFunctions = dev.apiFunctions!
    expect(() =>
      stageConfigFromContext(
        cdkContext('dev', {
          apiFunctions: { ...apiFunctions, write: { ...apiFunctions.write, provisionedConcurrency: 50 } },
        }),
      ),
    ).toThrow(/apiFunctions\.write: provisionedConcurrency must not exceed reservedConcurrency/)
    for (const origin of [
      'http://funding.example.org',
      'https://funding.example.org/app',
      'funding.example.org',
    ]) {
      expect(() => stageConfigFromContext(cdkContext('dev', { customDomainUrls: [origin] })), origin).toThrow(
        /customDomainUrls/,
      )
    }
    expect(
      stageConfigFromContext(cdkContext('dev', { customDomainUrls: ['https://funding.example.org/'] }))
        .customDomainUrls,
    ).toEqual(['https://funding.example.org'])
  })

  it('keeps instances warm through a `live` alias only where a stage asks for provisioned concurrency', () => {
    const apiFunctions = stageSettings('prod').apiFunctions!
    const { template } = synthStage('prod', {
      apiFunctions: { ...apiFunctions, public: { ...apiFunctions.public, provisionedConcurrency: 3 } },
    })
    const [publicId] = publicFunction(template)
    const [writeId] = writeFunction(template)
    const [aliasId, alias] = only(template, 'AWS::Lambda::Alias')
    expect(alias.Properties).toMatchObject({
      FunctionName: { Ref: publicId },
      Name: 'live',
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 3 },
    })
    // The gateway invokes the alias (which carries the warm instances), not $LATEST.
    only(template, 'AWS::ApiGatewayV2::Integration', { IntegrationUri: { Ref: aliasId } })
    only(template, 'AWS::ApiGatewayV2::Integration', { IntegrationUri: { 'Fn::GetAtt': [writeId, 'Arn'] } })
    expect(Object.keys(template.findResources('AWS::Lambda::Version'))).toHaveLength(1)
  }, 120_000)

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
    expect(
      templates.prod.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } }),
    ).toEqual({})
  }, 120_000)
})
