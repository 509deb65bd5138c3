import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib'
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers'
import type { Construct } from 'constructs'
import { type Surface, WRITE_ROUTES } from '../functions/api/lib/surfaces'
import { EXPIRY_METRICS } from '../functions/expire-instruments/metrics'
import { INDEX } from '../shared/platform/table'
import { ENTRIES } from './bundling'
import { AsyncImports } from './constructs/async-imports'
import { CatalogueSnapshot } from './constructs/catalogue-snapshot'
import { Digests } from './constructs/digests'
import { FundfinderFunction } from './constructs/fundfinder-function'
import { FundfinderTable } from './constructs/fundfinder-table'
import { FundfinderHttpApi } from './constructs/http-api'
import { Identity } from './constructs/identity'
import { Operations } from './constructs/operations'
import { ScheduledFunction } from './constructs/scheduled-function'
import { CatalogueSync } from './constructs/sync'
import type { StageConfig } from './stage-config'

export interface FundfinderStackProps extends StackProps {
  config: StageConfig
  /** Upgrading an existing table one index at a time (`-c maxNewIndexes=N`; README, Deploy). */
  maxNewIndexes?: number | undefined
}

/**
 * Why a write route has no gateway authorizer (the app still decides), by path: a write route
 * with `gatewayAuth: 'none'` (functions/api/lib/surfaces.ts) needs its reason here.
 */
const UNAUTHENTICATED_WRITE_ROUTES: Record<string, string> = {
  '/v1/subscriptions':
    'Saving a search is public by contract (double opt-in by email, rate-limited per client and per address, always 202); confirming and unsubscribing carry the secret token of an emailed link, which is their only credential.',
  '/subscriptions':
    "The subscription pages' buttons and RFC 8058 one-click unsubscribes come from people and mail clients without an account: the emailed link's secret token (or, for saving a search, the double opt-in) is the credential, and the page forms must come from the site's own origin.",
  '/admin':
    'The admin pages authenticate with an HttpOnly session cookie holding the Cognito ID token, verified by the app on every request (issuer, audience, signature, expiry, role); a signed-out browser must be redirected to the sign-in page, which a gateway JWT authorizer (401) cannot do, and the sign-in and callback pages themselves are reached without a token.',
}

/**
 * Everything fundfinder runs on in AWS: the table; the API as two functions, one per surface
 * (public reads with read-only rights, writes behind a Cognito JWT authorizer), behind one HTTP
 * API; the scheduled expiry job; the daily sync of EU calls; the Cognito user pool with its pre-token-generation trigger; a
 * dashboard and alarms. Environment-agnostic (no lookups), so it synthesises offline.
 */
export class FundfinderStack extends Stack {
  constructor(scope: Construct, id: string, props: FundfinderStackProps) {
    super(scope, id, props)
    const { config } = props
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY
    const functionDefaults = { logRetention: config.logRetentionDays, logRemovalPolicy: removalPolicy }

    const { table } = new FundfinderTable(this, 'Catalogue', {
      retainData: config.retainData,
      maxNewIndexes: props.maxNewIndexes,
    })
    const api = new FundfinderHttpApi(this, 'Http', {
      stage: config.stage,
      corsOrigins: config.corsOrigins,
      throttle: config.throttle,
      logRetention: config.logRetentionDays,
      logRemovalPolicy: removalPolicy,
    })
    const operations = new Operations(this, 'Operations', {
      stage: config.stage,
      alarmEmail: config.alarmEmail,
      api,
      table,
    })

    // What cold API instances load instead of the whole catalogue partition.
    const snapshot = new CatalogueSnapshot(this, 'CatalogueSnapshot', {
      table,
      retainData: config.retainData,
      logRetention: config.logRetentionDays,
      logLevel: config.logLevel,
      alarms: operations.alarms,
    })

    // --- Identity: editors and admins sign in with Cognito; there is no self sign-up.
    const preTokenGeneration = new FundfinderFunction(this, 'PreTokenGenerationFunction', {
      ...functionDefaults,
      entry: ENTRIES.preTokenGeneration,
      description: 'fundfinder: copies custom:org and custom:countries into Cognito access tokens',
      memorySize: 256,
      timeout: Duration.seconds(5),
    })
    Validations.of(preTokenGeneration).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked synchronously by Cognito while it issues tokens: a failure fails that sign-in or refresh for the user, there is no asynchronous event to keep.',
    })
    const identity = new Identity(this, 'Identity', {
      stage: config.stage,
      retainData: config.retainData,
      removalPolicy,
      domainPrefix: config.authDomainPrefix,
      webOrigins: [api.url, ...config.customDomainUrls],
      extraCallbackUrls: config.extraCallbackUrls,
      preTokenGeneration: preTokenGeneration.invocationTarget,
    })
    const { userPool, webClient, signInDomain } = identity

    // --- The API: one app, two functions. Each knows its surface and refuses the other's routes;
    // the public one runs only the public surface's share of the app (functions/api/public-app.ts).
    const apiEnvironment = {
      AUTH_ISSUER: userPool.userPoolProviderUrl,
      AUTH_AUDIENCE: webClient.userPoolClientId,
      COGNITO_DOMAIN: signInDomain.baseUrl(),
      WEB_CLIENT_ID: webClient.userPoolClientId,
      ARCHIVE_RETENTION_DAYS: String(config.archiveRetentionDays),
      CORS_ORIGINS: config.corsOrigins.join(','),
      LOG_LEVEL: config.logLevel,
      CATALOGUE_MAX_STALENESS_MS: String(config.catalogueMaxStalenessMs),
    }
    const apiFunction = (surface: Surface, description: string, timeout: Duration) => {
      const settings = config.apiFunctions[surface]
      const fn = new FundfinderFunction(this, `${surface === 'public' ? 'Public' : 'Write'}ApiFunction`, {
        ...functionDefaults,
        entry: surface === 'public' ? ENTRIES.publicApi : ENTRIES.api,
        description,
        memorySize: settings.memoryMb,
        timeout,
        reservedConcurrentExecutions: settings.reservedConcurrency,
        provisionedConcurrency: settings.provisionedConcurrency,
        environment: { ...apiEnvironment, API_SURFACE: surface },
      })
      Validations.of(fn).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked synchronously by API Gateway only: a failed request is answered with an error to its caller; there is no asynchronous event to keep.',
      })
      return fn
    }
    const publicFunction = apiFunction(
      'public',
      'fundfinder HTTP API, public surface: search, details, match, feeds, exports, public pages (read-only)',
      Duration.seconds(29),
    )
    // Reads by key and the catalogue partition; no index: the public routes query none.
    publicFunction.bindTable(table, 'read', [])
    snapshot.grantRead(publicFunction)
    const writeFunction = apiFunction(
      'write',
      'fundfinder HTTP API, write surface: instrument writes, admin, portfolios, admin pages',
      // The HTTP API gives up after 29 s; a 5,000-row import (about 150 transactions in a row)
      // needs most of that, every other route answers in milliseconds.
      Duration.seconds(29),
    )
    writeFunction.bindTable(table, 'readWrite', [
      INDEX.archiveByTime,
      INDEX.auditByInstrument,
      INDEX.reviewQueue,
      INDEX.reviewQueueByCountry,
    ])
    snapshot.grantRead(writeFunction)
    // Imports over the synchronous bound run in a worker of their own; the write surface queues them.
    const imports = new AsyncImports(this, 'Imports', {
      table,
      alarms: operations.alarms,
      submitters: [writeFunction],
      ...functionDefaults,
      logLevel: config.logLevel,
      archiveRetentionDays: config.archiveRetentionDays,
    })

    api.serveByDefault(
      publicFunction.invocationTarget,
      'The public surface is anonymous by contract (search, details, match, taxonomy, feeds, exports, public pages, docs); it runs with read-only table access and refuses every write route itself (API_SURFACE=public).',
    )
    const authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', userPool, {
      userPoolClients: [webClient],
      identitySource: ['$request.header.Authorization'],
    })
    for (const route of WRITE_ROUTES) {
      const unauthenticatedBecause = UNAUTHENTICATED_WRITE_ROUTES[route.path]
      if (route.gatewayAuth === 'none' && !unauthenticatedBecause) {
        throw new Error(
          `Write route ${route.path} has no gateway authorizer and no reason in UNAUTHENTICATED_WRITE_ROUTES`,
        )
      }
      api.serve(
        route,
        writeFunction.invocationTarget,
        route.gatewayAuth === 'jwt'
          ? { authorizer }
          : { unauthenticatedBecause: unauthenticatedBecause ?? '' },
      )
    }

    // --- The expiry job: EventBridge Scheduler runs it hourly; failures end in a dead-letter queue.
    const expiry = new ScheduledFunction(this, 'Expiry', {
      name: 'Expiry',
      function: {
        ...functionDefaults,
        entry: ENTRIES.expireInstruments,
        description: 'fundfinder: moves expired instruments to the archive',
        memorySize: 512,
        timeout: Duration.minutes(5),
        // One run at a time: a retry or a late run waits instead of contending with a run in progress.
        reservedConcurrentExecutions: 1,
        environment: {
          ARCHIVE_RETENTION_DAYS: String(config.archiveRetentionDays),
          LOG_LEVEL: config.logLevel,
        },
      },
      metrics: EXPIRY_METRICS,
      maxEventAge: Duration.hours(1),
      schedules: [
        {
          id: 'Schedule',
          description: 'Archive expired instruments',
          // Minute 1: date-only deadlines close at midnight Brussels time and are archived a minute later.
          cron: { minute: '1', hour: '*' },
        },
      ],
      alarms: operations.alarms,
      failures: {
        metricName: EXPIRY_METRICS.names.failures,
        description: 'The expiry job could not archive some expired instruments',
      },
      heartbeat: {
        metricName: EXPIRY_METRICS.names.succeeded,
        period: Duration.hours(1),
        periods: 2,
        description:
          'No successful expiry run for 2 hours: expired calls stay in the catalogue. Missing data (no run at all) counts as a failure.',
      },
    })
    const expiryFunction = expiry.function
    expiryFunction.bindTable(table, 'readWrite', [INDEX.liveByExpiry])

    // --- The daily sync of the EU Funding & Tenders Portal, with its own DLQ and alarms.
    const sync = new CatalogueSync(this, 'Sync', {
      table,
      alarms: operations.alarms,
      logRetention: config.logRetentionDays,
      logRemovalPolicy: removalPolicy,
      logLevel: config.logLevel,
      archiveRetentionDays: config.archiveRetentionDays,
      contactUrl: api.url,
    })

    // --- Operations: every function's errors and throttles, and the expiry job's own signals.
    operations.watchFunction('PublicApi', publicFunction)
    operations.watchFunction('WriteApi', writeFunction)
    operations.watchFunction('Expiry', expiryFunction)
    operations.watchFunction('PreTokenGeneration', preTokenGeneration)
    operations.watchFunction('SnapshotPublisher', snapshot.publisher)
    operations.watchFunction('ImportWorker', imports.worker)
    operations.watchFunction('Sync', sync.function)
    operations.addGraphs(
      {
        title: 'Expiry runs',
        left: [
          expiryFunction.metricInvocations({ period: Duration.hours(1), label: 'runs' }),
          expiry.metric(EXPIRY_METRICS.names.succeeded).with({ label: 'successful runs' }),
        ],
        right: [expiry.metric(EXPIRY_METRICS.names.failures).with({ label: 'failed moves' })],
      },
      {
        title: 'Instruments archived',
        left: [expiry.metric(EXPIRY_METRICS.names.archived).with({ label: 'archived' })],
      },
    )

    // --- Email digests: SES, the digest schedules, bounce handling. The write surface sends the
    // confirmation emails (a subscription request is a write route).
    const digests = new Digests(this, 'Digests', {
      mail: config.mail,
      publicBaseUrl: config.mail.publicBaseUrl ?? api.url,
      table,
      alarms: operations.alarms,
      ...functionDefaults,
      logLevel: config.logLevel,
    })
    for (const [name, value] of Object.entries(digests.mailEnvironment))
      writeFunction.addEnvironment(name, value)
    digests.grantSend(writeFunction)
    operations.watchFunction('Digest', digests.digestFunction)
    operations.watchFunction('MailFeedback', digests.feedbackFunction)

    new CfnOutput(this, 'ApiUrl', { value: api.url, description: 'Base URL of the API and web pages' })
    new CfnOutput(this, 'TableName', {
      value: table.tableName,
      description: 'For `npm run import` with AWS credentials',
    })
    new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId })
    new CfnOutput(this, 'UserPoolClientId', { value: webClient.userPoolClientId })
    new CfnOutput(this, 'SignInUrl', { value: signInDomain.baseUrl(), description: 'Cognito hosted sign-in' })
    new CfnOutput(this, 'AlarmTopicArn', { value: operations.alarms.topic.topicArn })
    new CfnOutput(this, 'DashboardName', { value: operations.dashboard.dashboardName })
  }
}
