import { RetentionDays } from 'aws-cdk-lib/aws-logs'
import { z } from 'zod'

/**
 * Per-stage settings, read from CDK context (`cdk.json` holds the defaults; `-c stage=prod`
 * picks one). Parsed with zod so a typo in cdk.json fails the synth with a readable message
 * instead of deploying something half-configured.
 */
const LOG_RETENTION_DAYS = Object.values(RetentionDays).filter(
  (value): value is number => typeof value === 'number',
)

const DOMAIN = /^(?=.{1,253}$)(?:(?!-)[a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}$/

/**
 * Outgoing email (subscription confirmations and digests) through Amazon SES v2: the identity SES
 * verifies (a domain, with Easy DKIM, or one address), the sender on it, and where replies go.
 */
const MailSettingsSchema = z
  .object({
    /** A domain (`fundfinder.example`: DNS records to add after deploy) or a single address. */
    identity: z.union([z.string().regex(DOMAIN, 'must be a lower-case domain'), z.email()]),
    /** The From address; it must belong to the identity. */
    from: z.email(),
    /** The From display name: one line, no quotes or angle brackets. */
    fromName: z
      .string()
      .regex(/^[^\r\n"<>]{1,64}$/)
      .default('fundfinder'),
    replyTo: z.email().optional(),
    /** Base of the links in emails, such as a custom domain. Default: the API's own URL. */
    publicBaseUrl: z.url({ protocol: /^https$/ }).optional(),
  })
  .strict()
  .refine(
    (mail) =>
      mail.identity.includes('@') ? mail.from === mail.identity : mail.from.endsWith(`@${mail.identity}`),
    { message: 'from must be the identity itself or an address on the identity domain', path: ['from'] },
  )

/** One API function's capacity: memory, the concurrency it may take, the instances kept warm. */
const ApiFunctionSettingsSchema = z
  .object({
    memoryMb: z.number().int().min(128).max(10_240),
    /**
     * Reserved concurrency: at most this many instances, and always this many available, so a
     * burst on one function can neither exhaust the account nor starve the other.
     */
    reservedConcurrency: z.number().int().min(1).max(10_000),
    /** Instances kept initialised (billed while idle); 0 = none, and no alias or version is created. */
    provisionedConcurrency: z.number().int().min(0).max(10_000).default(0),
  })
  .strict()
  .refine((settings) => settings.provisionedConcurrency <= settings.reservedConcurrency, {
    message: 'provisionedConcurrency must not exceed reservedConcurrency',
  })

/** An origin the web pages are served on, with no path: `https://funding.example.org`. */
const OriginSchema = z
  .url({ protocol: /^https$/ })
  .refine((url) => URL.canParse(url) && new URL(url).origin === url.replace(/\/$/, ''), {
    message: 'must be an https origin without a path, e.g. https://funding.example.org',
  })
  .transform((url) => url.replace(/\/$/, ''))

const StageSettingsSchema = z
  .object({
    /** Production keeps data: the table and user pool are retained and deletion-protected. */
    retainData: z.boolean(),
    /** Origins allowed by CORS (web pages served elsewhere); empty = same-origin only. */
    corsOrigins: z.array(z.url()).default([]),
    /** API Gateway stage throttling: steady requests per second and burst. */
    throttle: z.object({
      rateLimit: z.number().int().min(1).max(10_000),
      burstLimit: z.number().int().min(1).max(5_000),
    }),
    logRetentionDays: z
      .number()
      .int()
      .refine((days) => LOG_RETENTION_DAYS.includes(days), {
        message: `must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
      }),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']),
    archiveRetentionDays: z.number().int().min(1).max(3650),
    /** The two API functions (functions/api/lib/surfaces.ts): public reads, and writes. */
    apiFunctions: z.object({ public: ApiFunctionSettingsSchema, write: ApiFunctionSettingsSchema }).strict(),
    /**
     * How long an API instance trusts its catalogue before reading the version item again: the
     * public staleness bound (an editor's own changes are visible to their next request anyway).
     */
    catalogueMaxStalenessMs: z.number().int().min(0).max(60_000).default(1_000),
    /** Alarm notifications go to an SNS topic; this address is subscribed when given. */
    alarmEmail: z.email().optional(),
    /** Prefix of the Cognito hosted sign-in domain; globally unique. Default: fundfinder-<stage>-<account>. */
    authDomainPrefix: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/)
      .optional(),
    /**
     * Custom domains mapped to the HTTP API (`https://funding.example.org`): each gets the sign-in
     * callback and the sign-out return of the web pages, which build both from the request's origin.
     */
    customDomainUrls: z.array(OriginSchema).default([]),
    /** Further sign-in callback URLs; the API's own URL and the custom domains are always allowed. */
    extraCallbackUrls: z.array(z.url()).default([]),
    mail: MailSettingsSchema,
  })
  .strict()

export const STAGE_NAMES = ['dev', 'prod'] as const
export type StageName = (typeof STAGE_NAMES)[number]
export type StageSettings = z.output<typeof StageSettingsSchema>
export interface StageConfig extends StageSettings {
  stage: StageName
}

const ContextSchema = z.object({
  stage: z.enum(STAGE_NAMES).default('dev'),
  stages: z.partialRecord(z.enum(STAGE_NAMES), z.unknown()),
})

/** The stage chosen by context (`-c stage=...`, default dev), its settings validated. */
export function stageConfigFromContext(context: { stage?: unknown; stages?: unknown }): StageConfig {
  const parsedContext = ContextSchema.safeParse(context)
  if (!parsedContext.success) throw new Error(`Invalid CDK context:\n${formatIssues(parsedContext.error)}`)
  const { stage, stages } = parsedContext.data
  const settings = StageSettingsSchema.safeParse(stages[stage] ?? {})
  if (!settings.success) {
    throw new Error(`Invalid settings for stage "${stage}" in cdk.json:\n${formatIssues(settings.error)}`)
  }
  return { stage, ...settings.data }
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n')
}
