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
    apiMemoryMb: z.number().int().min(128).max(10_240),
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
    /** Extra sign-in callback URLs (e.g. a custom domain); the API's own URL is always allowed. */
    extraCallbackUrls: z.array(z.url()).default([]),
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
