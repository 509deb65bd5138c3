import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib'
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway'
import {
  CorsHttpMethod,
  HttpApi,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2'
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch'
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  UserPool,
  UserPoolClientIdentityProvider,
} from 'aws-cdk-lib/aws-cognito'
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda'
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations'
import { LogGroup } from 'aws-cdk-lib/aws-logs'
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler'
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets'
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs'
import { TimeZone } from 'aws-cdk-lib/core'
import type { Construct } from 'constructs'
import { INDEX } from '../shared/platform/table'
import { ENTRIES } from './bundling'
import { AlarmTopic } from './constructs/alarm-topic'
import { AsyncImports } from './constructs/async-imports'
import { FundfinderFunction } from './constructs/fundfinder-function'
import { FundfinderTable } from './constructs/fundfinder-table'
import type { StageConfig } from './stage-config'

export interface FundfinderStackProps extends StackProps {
  config: StageConfig
}

/** Roles are Cognito groups; the API reads them from the `cognito:groups` claim. */
export const USER_GROUPS = ['admin', 'editor'] as const

/**
 * Where the expiry job's Powertools metrics land (functions/expire-instruments/handler.ts): the
 * failure alarm watches this namespace and `service` dimension; the bundle test checks they match.
 */
export const EXPIRY_METRICS = { namespace: 'fundfinder', service: 'fundfinder-expiry' } as const

/** Path of the web pages' sign-in callback (functions/web), appended to the API URL. */
const SIGN_IN_CALLBACK_PATH = 'admin/callback'

/**
 * Everything fundfinder runs on in AWS: the table, the API behind an HTTP API, the scheduled
 * expiry job, the Cognito user pool that issues editors' and admins' tokens, and the alarms.
 * Environment-agnostic (no lookups), so it synthesises offline without credentials.
 */
export class FundfinderStack extends Stack {
  constructor(scope: Construct, id: string, props: FundfinderStackProps) {
    super(scope, id, props)
    const { config } = props
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY
    const alarms = new AlarmTopic(this, 'Alarms', { email: config.alarmEmail })

    const { table } = new FundfinderTable(this, 'Catalogue', { retainData: config.retainData })

    // --- Identity: editors and admins sign in with Cognito; there is no self sign-up.
    const userPool = new UserPool(this, 'Users', {
      userPoolName: `fundfinder-${config.stage}`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Every account can change the catalogue, so a stolen password alone must not be enough.
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: config.retainData,
      removalPolicy,
    })
    Validations.of(userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'The Plus feature plan (threat protection) is billed per active user; the accounts are a handful of invited editors and admins, with mandatory TOTP MFA, a 14-character password policy and no self sign-up.',
    })
    for (const groupName of USER_GROUPS) {
      userPool.addGroup(`${groupName}Group`, {
        groupName,
        description:
          groupName === 'admin' ? 'Delete, archive, restore, audit log' : 'Create and update instruments',
      })
    }
    const signInDomain = userPool.addDomain('SignIn', {
      cognitoDomain: {
        domainPrefix: config.authDomainPrefix ?? `fundfinder-${config.stage}-${Aws.ACCOUNT_ID}`,
      },
    })

    // --- HTTP API. The stage is created explicitly to give it throttling and access logs.
    const httpApi = new HttpApi(this, 'Api', {
      apiName: `fundfinder-${config.stage}`,
      description: 'fundfinder public API and web pages',
      createDefaultStage: false,
      ...(config.corsOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: config.corsOrigins,
              allowMethods: [
                CorsHttpMethod.GET,
                CorsHttpMethod.POST,
                CorsHttpMethod.PUT,
                CorsHttpMethod.DELETE,
                CorsHttpMethod.OPTIONS,
              ],
              allowHeaders: ['authorization', 'content-type', 'if-match'],
              exposeHeaders: ['etag', 'location', 'x-request-id'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    })
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetentionDays,
      removalPolicy,
    })
    const apiStage = new HttpStage(this, 'ApiStage', {
      httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: config.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            method: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    })
    const apiUrl = apiStage.url

    const webClient = userPool.addClient('WebClient', {
      userPoolClientName: 'fundfinder-web',
      // A public client (pages in a browser): authorization code with PKCE, no client secret.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${apiUrl}${SIGN_IN_CALLBACK_PATH}`, ...config.extraCallbackUrls],
        logoutUrls: [apiUrl],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    })

    // --- The API function: Hono behind the HTTP API; verifies Cognito tokens only.
    const apiFunction = new FundfinderFunction(this, 'ApiFunction', {
      entry: ENTRIES.api,
      description: 'fundfinder HTTP API and web pages (Hono)',
      memorySize: config.apiMemoryMb,
      // The HTTP API gives up after 29 s: synchronous imports are bounded to fit in it
      // (SYNC_IMPORT_MAX_ROWS), larger ones run in the import worker; other routes take milliseconds.
      timeout: Duration.seconds(29),
      logRetention: config.logRetentionDays,
      logRemovalPolicy: removalPolicy,
      environment: {
        AUTH_ISSUER: userPool.userPoolProviderUrl,
        AUTH_AUDIENCE: webClient.userPoolClientId,
        COGNITO_DOMAIN: signInDomain.baseUrl(),
        WEB_CLIENT_ID: webClient.userPoolClientId,
        ARCHIVE_RETENTION_DAYS: String(config.archiveRetentionDays),
        CORS_ORIGINS: config.corsOrigins.join(','),
        LOG_LEVEL: config.logLevel,
      },
    })
    apiFunction.bindTable(table, 'readWrite', [
      INDEX.archiveByTime,
      INDEX.auditByInstrument,
      INDEX.liveByExpiry,
    ])
    new AsyncImports(this, 'Imports', {
      table,
      alarms,
      submitters: [apiFunction],
      logRetention: config.logRetentionDays,
      logRemovalPolicy: removalPolicy,
      logLevel: config.logLevel,
      archiveRetentionDays: config.archiveRetentionDays,
    })
    // One catch-all route ($default): the Hono app routes, and answers unknown paths with a 404 problem.
    const apiRoute = new HttpRoute(this, 'ApiRoute', {
      httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration('ApiIntegration', apiFunction),
    })
    Validations.of(apiRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Searching the catalogue is public by contract. Writes are authorised in the API itself, which verifies Cognito JWTs (issuer, audience, signature) and the role from cognito:groups per route; a gateway authorizer on the one catch-all route would block the public reads.',
    })
    Validations.of(apiFunction).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked synchronously by API Gateway only: a failed request is answered with an error to its caller; there is no asynchronous event to keep.',
    })

    // --- The expiry job: EventBridge Scheduler runs it hourly; failures end in a dead-letter queue.
    const expiryDeadLetters = new Queue(this, 'ExpiryDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    })
    Validations.of(expiryDeadLetters).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the dead-letter queue of the expiry schedule.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason: 'This queue is itself the dead-letter queue of the expiry schedule.',
      },
    )
    const expiryFunction = new FundfinderFunction(this, 'ExpiryFunction', {
      entry: ENTRIES.expireInstruments,
      description: 'fundfinder: moves expired instruments to the archive',
      memorySize: 512,
      timeout: Duration.minutes(5),
      logRetention: config.logRetentionDays,
      logRemovalPolicy: removalPolicy,
      // The scheduler invokes asynchronously: Lambda retries a failed run, then hands it, with the
      // error, to the same dead-letter queue the scheduler uses when it cannot invoke at all.
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(expiryDeadLetters),
      environment: {
        ARCHIVE_RETENTION_DAYS: String(config.archiveRetentionDays),
        LOG_LEVEL: config.logLevel,
        POWERTOOLS_SERVICE_NAME: EXPIRY_METRICS.service,
        POWERTOOLS_METRICS_NAMESPACE: EXPIRY_METRICS.namespace,
      },
    })
    expiryFunction.bindTable(table, 'readWrite', [INDEX.liveByExpiry])
    Validations.of(expiryFunction).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Failed asynchronous runs go to an on-failure destination (the expiry dead-letter queue), which also records the error; a DLQ as well would deliver every failure twice.',
    })
    const schedulerRole = new Role(this, 'ExpirySchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: 'EventBridge Scheduler: invoke the expiry function, send undeliverable runs to its DLQ',
    })
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(expiryFunction.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason:
        'Added by the Lambda target: lambda:InvokeFunction on the expiry function and its versions/aliases (ARN suffix), nothing else.',
    })
    new Schedule(this, 'ExpirySchedule', {
      description: 'Archive expired instruments',
      // Minute 1: date-only deadlines close at midnight Brussels time and are archived a minute later.
      schedule: ScheduleExpression.cron({ minute: '1', hour: '*', timeZone: TimeZone.EUROPE_BRUSSELS }),
      target: new LambdaInvoke(expiryFunction, {
        role: schedulerRole,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: expiryDeadLetters,
      }),
    })

    // --- Alarms: every one notifies the alarm topic.
    for (const [name, fn] of [
      ['Api', apiFunction],
      ['Expiry', expiryFunction],
    ] as const) {
      alarms.alarm(`${name}FunctionErrors`, fn.metricErrors({ period: Duration.minutes(5) }), {
        description: `${name} function: invocations failed`,
      })
      alarms.alarm(`${name}FunctionThrottles`, fn.metricThrottles({ period: Duration.minutes(5) }), {
        description: `${name} function: invocations throttled`,
      })
    }
    alarms.alarm(
      'ExpiryDeadLetterMessages',
      expiryDeadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      { description: 'Expiry runs that failed after every retry are waiting in the dead-letter queue' },
    )
    alarms.alarm(
      'ExpiryFailures',
      new Metric({
        namespace: EXPIRY_METRICS.namespace,
        metricName: 'ExpiryFailures',
        dimensionsMap: { service: EXPIRY_METRICS.service },
        statistic: 'Sum',
        period: Duration.hours(1),
      }),
      { description: 'The expiry job could not archive some expired instruments' },
    )
    alarms.alarm(
      'Api5xxRate',
      new MathExpression({
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: {
          errors: httpApi.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
          requests: httpApi.metricCount({ period: Duration.minutes(5), statistic: 'Sum' }),
        },
        label: 'API 5xx responses (% of requests)',
        period: Duration.minutes(5),
      }),
      {
        description: 'More than 5% of API requests answered 5xx in two of three 5-minute periods',
        threshold: 5,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      },
    )

    new CfnOutput(this, 'ApiUrl', { value: apiUrl, description: 'Base URL of the API and web pages' })
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId })
    new CfnOutput(this, 'UserPoolClientId', { value: webClient.userPoolClientId })
    new CfnOutput(this, 'SignInUrl', { value: signInDomain.baseUrl(), description: 'Cognito hosted sign-in' })
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn })
  }
}
