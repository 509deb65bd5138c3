import { z } from 'zod'

/** A mailbox for a header: `address` or `Display Name <address>`, on one line (no header injection). */
const MailboxSetting = z
  .string()
  .max(320)
  .regex(
    /^(?:[^\r\n<>"@]+ )?<?[^\s<>@"]+@[^\s<>@"]+\.[^\s<>@"]+>?$/,
    'must be an address or "Display Name <address>" on one line',
  )

/** A comma-separated setting: its items, trimmed, empty ones dropped (unset or empty: none). */
const commaList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  )

export interface MailConfig {
  /** `none`: no mail can be sent (subscriptions answer 503); tests and `npm start` always configure one. */
  transport: 'smtp' | 'ses' | 'none'
  smtpUrl: string | undefined
  from: string
  replyTo: string | undefined
  sesConfigurationSet: string | undefined
}

/** Lambda's limit on a synchronous invocation's response (the JSON result, body included): 6 MiB. */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024

/**
 * Runtime configuration, parsed once from the environment. No other module reads `process.env`:
 * entry points call `loadConfig()` and pass the result down.
 */
/**
 * What one process of the app serves (functions/api/lib/surfaces.ts): each deployed API function
 * one surface, the local server and the tests both.
 */
export const API_SURFACES = ['public', 'write', 'all'] as const
export type ApiSurface = (typeof API_SURFACES)[number]

const ConfigSchema = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    TABLE_NAME: z.string().min(3).max(255).default('fundfinder'),
    DYNAMODB_ENDPOINT: z.url().optional(),
    /**
     * Which table the local scripts (`npm run import`, `npm run expire`) open: `local` (DynamoDB
     * Local) or `aws` (TABLE_NAME in AWS_REGION, with the AWS credentials of the shell). Deployed
     * functions ignore it.
     */
    DYNAMODB_TARGET: z.enum(['local', 'aws']).default('local'),
    AWS_REGION: z.string().min(1).default('eu-west-1'),
    AUTH_ISSUER: z.url().default('http://localhost:3000/dev-issuer'),
    AUTH_AUDIENCE: z.string().min(1).default('fundfinder-local'),
    /** JWKS of the issuer. Defaults to `${AUTH_ISSUER}/.well-known/jwks.json` (Cognito's layout). */
    AUTH_JWKS_URL: z.url().optional(),
    /** Enables the local dev issuer: tokens are signed with this key file and verified with its public half. */
    DEV_ISSUER_KEY_FILE: z.string().min(1).optional(),
    ARCHIVE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
    EXPIRE_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
    MAX_BODY_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(10 * 1024 * 1024)
      .default(256 * 1024),
    /**
     * Body limit of `POST /v1/admin/imports` only: whole spreadsheets (5,000 rows fit easily). Lambda
     * accepts at most 6 MB per synchronous request, so a deployed API cannot usefully go higher.
     */
    MAX_IMPORT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(5 * 1024 * 1024),
    /**
     * The most a response may take as the platform carries it (Lambda: 6 MiB of JSON, binary bodies
     * base64-encoded); larger ones are compressed or refused with a problem. Locally the same limit
     * applies, so what works locally works in AWS.
     */
    MAX_RESPONSE_BYTES: z.coerce
      .number()
      .int()
      .min(64 * 1024)
      .max(64 * 1024 * 1024)
      .default(LAMBDA_RESPONSE_LIMIT_BYTES),
    /**
     * The most records a synchronous (non-dry-run) import takes: beyond it, 413 naming the
     * asynchronous way. The default fits the API's 29 s with room: see README, "Import bounds".
     */
    SYNC_IMPORT_MAX_ROWS: z.coerce.number().int().min(1).max(10_000).default(500),
    /** The SQS queue of import jobs (set by the stack); without it jobs run in this process. */
    IMPORT_QUEUE_URL: z.url().optional(),
    /** How long a finished (or abandoned) import job, its file and its report are kept. */
    IMPORT_JOB_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(7),
    /** How long one run holds a job before another may take it over: the worker's time limit. */
    IMPORT_JOB_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
    /** Runs of one job before it is given up as failed (the queue's receive count in AWS). */
    IMPORT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
    /** Comma-separated list of origins allowed by CORS; empty means same-origin only. */
    CORS_ORIGINS: commaList,
    API_SURFACE: z.enum(API_SURFACES).default('all'),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    /**
     * How long a search instance may trust its catalogue version before reading it again (0 = every
     * request): the public staleness bound. Deployed stacks set 1000; an editor's own writes are
     * visible to their next request whatever it is (see functions/api/lib/catalogue-freshness.ts).
     */
    CATALOGUE_MAX_STALENESS_MS: z.coerce.number().int().min(0).max(60_000).default(0),
    /** S3 bucket of the catalogue snapshot that cold starts load; unset: every cold start reads the whole table. */
    SNAPSHOT_BUCKET: z.string().min(3).max(63).optional(),
    /** S3 endpoint for a local stand-in (s3rver); unset in AWS. */
    S3_ENDPOINT: z.url().optional(),
    /** Cognito hosted UI base URL (https://<prefix>.auth.<region>.amazoncognito.com): enables web sign-in. */
    COGNITO_DOMAIN: z.url({ protocol: /^https?$/ }).optional(),
    /** Cognito app client id of the web pages (public client, authorization code + PKCE). */
    WEB_CLIENT_ID: z.string().min(1).optional(),
    /** Absolute base of the links in emails (no trailing slash needed). Default: http://localhost:$PORT. */
    PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    /** SMTP server for outgoing mail (`smtp://host:port`, `smtps://user:pass@host:465`): MailDev locally. */
    SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
    /** `smtp` (needs SMTP_URL) or `ses` (Amazon SES v2, in AWS). Default: smtp when SMTP_URL is set, else none. */
    MAIL_TRANSPORT: z.enum(['smtp', 'ses']).optional(),
    /** Sender of every email: `address` or `Display Name <address>`. */
    MAIL_FROM: MailboxSetting.default('fundfinder <digests@fundfinder.localhost>'),
    MAIL_REPLY_TO: MailboxSetting.optional(),
    /** SES configuration set whose event destination reports bounces and complaints (AWS only). */
    SES_CONFIGURATION_SET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
    /** The EU Funding & Tenders Portal's search endpoint (tests and `npm run sync` point it at a stand-in). */
    EU_FT_SEARCH_URL: z
      .url({ protocol: /^https?$/ })
      .default('https://api.tech.ec.europa.eu/search-api/prod/rest/search'),
    /** Comma-separated `frameworkProgramme` ids to sync (e.g. 43108390 for Horizon Europe); empty: every programme. */
    EU_FT_PROGRAMMES: commaList.pipe(
      z.array(z.string().regex(/^\d{1,12}$/, 'programme ids are numbers, e.g. 43108390')),
    ),
    /** Results per page (the portal's clients use at most 100). */
    EU_FT_PAGE_SIZE: z.coerce.number().int().min(1).max(100).default(100),
    /** Pause between two pages: one page at a time, politely. */
    EU_FT_PAGE_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
    /** Per request, answer included; a request that takes longer is retried. */
    EU_FT_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
    /** Where whoever runs this deployment can be reached (site or repository): sent in the sync's User-Agent. */
    SYNC_CONTACT_URL: z.url({ protocol: /^https?$/ }).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.MAIL_TRANSPORT === 'smtp' && !env.SMTP_URL) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'is required when MAIL_TRANSPORT=smtp' })
    }
  })
  .transform((env) => ({
    port: env.PORT,
    tableName: env.TABLE_NAME,
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT,
    dynamodbTarget: env.DYNAMODB_TARGET,
    region: env.AWS_REGION,
    auth: {
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
      jwksUrl: env.AUTH_JWKS_URL ?? `${env.AUTH_ISSUER.replace(/\/$/, '')}/.well-known/jwks.json`,
      devIssuerKeyFile: env.DEV_ISSUER_KEY_FILE,
    },
    archiveRetentionDays: env.ARCHIVE_RETENTION_DAYS,
    expireIntervalSeconds: env.EXPIRE_INTERVAL_SECONDS,
    maxBodyBytes: env.MAX_BODY_BYTES,
    maxImportBytes: env.MAX_IMPORT_BYTES,
    maxResponseBytes: env.MAX_RESPONSE_BYTES,
    imports: {
      syncMaxRows: env.SYNC_IMPORT_MAX_ROWS,
      queueUrl: env.IMPORT_QUEUE_URL,
      retentionDays: env.IMPORT_JOB_RETENTION_DAYS,
      leaseMs: env.IMPORT_JOB_LEASE_SECONDS * 1000,
      maxAttempts: env.IMPORT_MAX_ATTEMPTS,
    },
    corsOrigins: env.CORS_ORIGINS,
    logLevel: env.LOG_LEVEL,
    apiSurface: env.API_SURFACE,
    catalogueMaxStalenessMs: env.CATALOGUE_MAX_STALENESS_MS,
    euFt: {
      searchUrl: env.EU_FT_SEARCH_URL,
      programmes: env.EU_FT_PROGRAMMES,
      pageSize: env.EU_FT_PAGE_SIZE,
      pageDelayMs: env.EU_FT_PAGE_DELAY_MS,
      timeoutMs: env.EU_FT_TIMEOUT_MS,
    },
    syncContactUrl: env.SYNC_CONTACT_URL,
    snapshotBucket: env.SNAPSHOT_BUCKET,
    s3Endpoint: env.S3_ENDPOINT,
    webSignIn:
      env.COGNITO_DOMAIN && env.WEB_CLIENT_ID
        ? { cognitoDomain: env.COGNITO_DOMAIN.replace(/\/$/, ''), clientId: env.WEB_CLIENT_ID }
        : undefined,
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    mail: {
      transport: env.MAIL_TRANSPORT ?? (env.SMTP_URL ? 'smtp' : 'none'),
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM,
      replyTo: env.MAIL_REPLY_TO,
      sesConfigurationSet: env.SES_CONFIGURATION_SET,
    } as MailConfig,
  }))

export type Config = z.output<typeof ConfigSchema>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Parses a configuration from an environment-like record; throws a readable ConfigError. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = ConfigSchema.safeParse(env)
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  }
  return result.data
}

let cached: Config | undefined

/** The process configuration, parsed from `process.env` on first use. */
export function loadConfig(): Config {
  cached ??= parseConfig(process.env)
  return cached
}

/** Defaults for running on a developer's machine: the dev issuer's key lives in `.local/`. */
export const LOCAL_DEFAULTS = {
  DEV_ISSUER_KEY_FILE: '.local/dev-issuer-key.json',
} as const

/** Configuration for local scripts (`npm start`, `npm run token`, ...): local defaults, then the environment. */
export function loadLocalConfig(overrides: Record<string, string | undefined> = {}): Config {
  return parseConfig({ ...LOCAL_DEFAULTS, ...process.env, ...overrides })
}
