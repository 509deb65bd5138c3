import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { DynamoImportJobStore } from './catalogue/imports/dynamo-import-job-store'
import type { ImportJobStore, ImportQueue } from './catalogue/imports/import-jobs'
import { InProcessImportQueue } from './catalogue/imports/in-process-import-queue'
import { SqsImportQueue } from './catalogue/imports/sqs-import-queue'
import { LiveCatalogue } from './catalogue/search/live-catalogue'
import { S3SnapshotStore, type SnapshotStore } from './catalogue/snapshot/snapshot-store'
import { DynamoInstrumentStore, type InstrumentStore } from './catalogue/store'
import { createJwtVerifier, type TokenSigner, type TokenVerifier } from './platform/auth'
import type { Config } from './platform/config'
import { createDocumentClient } from './platform/dynamodb'
import { createLogger, type Logger } from './platform/logger'
import { type Clock, systemClock } from './platform/time'
import { DynamoProjectStore, type ProjectStore } from './portfolio/project-store'
import { createMailer, type Mailer } from './subscriptions/mail/mailer'
import { RateLimiter } from './subscriptions/rate-limits'
import { DynamoSubscriptionStore, type SubscriptionStore } from './subscriptions/store/subscription-store'
import { SubscriptionService } from './subscriptions/subscription-service'

/**
 * Everything the functions, the local server, the scripts, the benchmarks and the tests need from
 * the outside world. Built in one place, `createDeps`; callers replace parts through `overrides`
 * (tests inject a fixed clock and their own token issuer, `npm start` the dev issuer).
 */
export interface Deps {
  config: Config
  /** One DocumentClient per process, shared by every store. */
  client: DynamoDBDocumentClient
  store: InstrumentStore
  /** Organisations' private project portfolios (never shown by public endpoints). */
  projects: ProjectStore
  /** The published catalogue snapshot (S3), when SNAPSHOT_BUCKET is configured. */
  snapshots: SnapshotStore | undefined
  /** The in-memory search projection of the live catalogue, kept fresh against `store`. */
  catalogue: LiveCatalogue
  verifier: TokenVerifier
  clock: Clock
  logger: Logger
  /** Asynchronous imports: the jobs, their files and progress. */
  importJobs: ImportJobStore
  /** Hands import jobs to the worker: SQS in AWS (`IMPORT_QUEUE_URL`), else run in this process. */
  importQueue: ImportQueue
  /** Local development only: signs tokens for the dev sign-in form. Absent in AWS. */
  devSignIn?: TokenSigner | undefined
  /** Email subscriptions (saved searches, project watches): their records and counters. */
  subscriptionStore: SubscriptionStore
  /** Outgoing mail: SMTP locally and in tests, Amazon SES in AWS (one code path, see createMailer). */
  mailer: Mailer
  /** Requesting, confirming, describing and ending subscriptions (API routes and web pages). */
  subscriptions: SubscriptionService
}

type SubscriptionDeps = Pick<Deps, 'subscriptionStore' | 'mailer' | 'subscriptions'>

/**
 * The composition root. Parts given in `overrides` are used as they are; the others are built from
 * the configuration, on top of the overridden ones (a given `client` serves the default stores).
 * Deployed functions trust the issuer's JWKS URL (Cognito) only.
 */
export function createDeps(config: Config, overrides: Partial<Deps> = {}): Deps {
  const client =
    overrides.client ?? createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint })
  const store =
    overrides.store ?? new DynamoInstrumentStore(client, config.tableName, config.archiveRetentionDays)
  const logger = overrides.logger ?? createLogger(config.logLevel, 'fundfinder')
  const snapshots =
    'snapshots' in overrides
      ? overrides.snapshots
      : config.snapshotBucket
        ? new S3SnapshotStore(
            // Loaded with the first snapshot read: the S3 SDK is not part of every cold start.
            async () =>
              (await import('./platform/s3')).createS3Client({
                region: config.region,
                endpoint: config.s3Endpoint,
              }),
            config.snapshotBucket,
            logger,
          )
        : undefined
  const clock = overrides.clock ?? systemClock
  const importJobs =
    overrides.importJobs ?? new DynamoImportJobStore(client, config.tableName, config.imports.retentionDays)
  const importQueue =
    overrides.importQueue ??
    (config.imports.queueUrl
      ? new SqsImportQueue(config.imports.queueUrl, config.region)
      : new InProcessImportQueue(
          { store, importJobs, clock, logger },
          { leaseMs: config.imports.leaseMs, maxAttempts: config.imports.maxAttempts },
        ))
  const base = {
    config,
    client,
    store,
    projects: overrides.projects ?? new DynamoProjectStore(client, config.tableName),
    snapshots,
    catalogue:
      overrides.catalogue ??
      new LiveCatalogue(store, { maxStalenessMs: config.catalogueMaxStalenessMs, snapshots, logger }),
    verifier:
      overrides.verifier ??
      createJwtVerifier({
        issuer: config.auth.issuer,
        audience: config.auth.audience,
        keys: { jwksUrl: config.auth.jwksUrl },
      }),
    clock,
    logger,
    importJobs,
    importQueue,
    devSignIn: overrides.devSignIn,
  }
  return { ...base, ...subscriptionDeps(base, overrides) }
}

/** The subscriptions' parts, on top of the stores, catalogue, clock and logger built above. */
function subscriptionDeps(
  base: Omit<Deps, keyof SubscriptionDeps>,
  overrides: Partial<Deps>,
): SubscriptionDeps {
  const { config, client } = base
  const subscriptionStore =
    overrides.subscriptionStore ?? new DynamoSubscriptionStore(client, config.tableName)
  const mailer = overrides.mailer ?? createMailer(config.mail, config.region)
  const subscriptions =
    overrides.subscriptions ??
    new SubscriptionService({
      ...base,
      subscriptionStore,
      rateLimiter: new RateLimiter(client, config.tableName),
      mailer,
    })
  return { subscriptionStore, mailer, subscriptions }
}
