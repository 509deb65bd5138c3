import { z } from 'zod'
import type { ServerOwnedFields } from '../platform/server-owned'
import { brusselsDayStart, deadlineExpiresAt } from '../platform/time'
import { COUNTRY_CODES, CURRENCY_CODES } from './countries'
import { BusinessRuleViolation } from './errors'
import { FEATURE_CODES, type FeatureCode, isFeatureCode, sortFeatureCodes } from './taxonomy'

export const INSTRUMENT_KINDS = ['call', 'programme', 'strategy'] as const
export const ORIGINS = ['international', 'national', 'regional'] as const
export const PERIODICITIES = ['one-off', 'recurring', 'continuous'] as const
export const TARGET_ORGANISATIONS = [
  'sme',
  'startup',
  'large-enterprise',
  'research',
  'public-body',
  'ngo',
  'cluster',
] as const
export const STATUSES = ['forthcoming', 'open', 'expired'] as const

export type InstrumentKind = (typeof INSTRUMENT_KINDS)[number]
export type Origin = (typeof ORIGINS)[number]
export type InstrumentStatus = (typeof STATUSES)[number]

const trimmed = (min: number, max: number) => z.string().trim().min(min).max(max)

/** A calendar date that exists (`2026-02-30` is refused). */
export const CalendarDate = z.iso
  .date()
  .meta({ description: 'Calendar date, YYYY-MM-DD', example: '2027-03-31' })

/** One cut-off of a multiple cut-off call: an instant, so a date-time with its offset. */
export const CutOff = z.iso.datetime({ offset: true })

export const Deadline = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).meta({
  description:
    'Date (closes at the end of that day, Europe/Brussels) or RFC 3339 date-time with offset (closes at that instant)',
  example: '2027-03-31',
})

export const CountryCode = z
  .string()
  .refine((value) => COUNTRY_CODES.has(value), 'must be an ISO 3166-1 alpha-2 country code in upper case')
  .meta({ description: 'ISO 3166-1 alpha-2, upper case', example: 'DK' })

export const FeatureCodeSchema = z
  .string()
  .refine(isFeatureCode, { error: (issue) => `unknown feature code '${String(issue.input)}'` })
  .meta({ description: 'Taxonomy feature code (T1-T15, P1-P18, D1-D7, G1-G14)', example: 'P12' })

/** 1-54 unique taxonomy codes, normalised to taxonomy order. */
export const FeatureList = z
  .array(FeatureCodeSchema)
  .min(1)
  .max(FEATURE_CODES.length)
  .refine((codes) => new Set(codes).size === codes.length, 'feature codes must be unique')
  .transform((codes) => sortFeatureCodes(codes) as FeatureCode[])

const Budget = z
  .strictObject({
    min: z.number().nonnegative().max(1e12).optional(),
    max: z.number().nonnegative().max(1e12).optional(),
    currency: z
      .string()
      .refine((value) => CURRENCY_CODES.has(value), 'must be an ISO 4217 currency code')
      .meta({ example: 'EUR' }),
  })
  .refine((budget) => budget.min === undefined || budget.max === undefined || budget.min <= budget.max, {
    message: 'min must not exceed max',
    path: ['min'],
  })
  .meta({ id: 'Budget' })

const uniqueArray = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item)
    .max(max)
    .refine((values) => new Set(values as unknown[]).size === values.length, 'values must be unique')

/**
 * What editors send to create or replace an instrument. Unknown fields are rejected rather than
 * ignored, so a typo never silently loses data. Server-owned fields (id, version, status, audit
 * stamps) are not part of it.
 */
export const InstrumentInput = z
  .strictObject({
    externalId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,100}$/, 'letters, digits and . _ : - only, at most 100')
      .optional()
      .meta({ description: 'Stable identifier from the source catalogue, used to match re-imports' }),
    name: trimmed(1, 300),
    description: z.string().trim().max(5000).default(''),
    kind: z.enum(INSTRUMENT_KINDS),
    origin: z.enum(ORIGINS),
    country: CountryCode.optional(),
    region: trimmed(1, 120).optional(),
    funder: trimmed(1, 200).optional(),
    programme: trimmed(1, 200).optional(),
    url: z
      .url({ protocol: /^https?$/, hostname: z.regexes.domain, error: 'must be an absolute http(s) URL' })
      .max(2048),
    opensAt: CalendarDate.optional(),
    deadline: Deadline.optional(),
    cutOffs: z.array(CutOff).min(1).max(50).optional().meta({
      description:
        'Every cut-off of a multiple cut-off call, ascending (date-times with offset); the deadline is the last one',
    }),
    periodicity: z.enum(PERIODICITIES).optional(),
    budget: Budget.optional(),
    targetOrganisations: uniqueArray(z.enum(TARGET_ORGANISATIONS), TARGET_ORGANISATIONS.length).optional(),
    features: FeatureList,
    applicationDomains: uniqueArray(trimmed(1, 80), 20).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.origin === 'international' && input.country !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['country'],
        message: 'must be absent for international instruments',
      })
    }
    if (input.origin !== 'international' && input.country === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['country'],
        message: `is required for ${input.origin} instruments`,
      })
    }
    if (input.region !== undefined && input.origin !== 'regional') {
      ctx.addIssue({ code: 'custom', path: ['region'], message: 'is only for regional instruments' })
    }
    if (input.opensAt && input.deadline && input.opensAt > input.deadline.slice(0, 10)) {
      ctx.addIssue({ code: 'custom', path: ['opensAt'], message: 'must not be after the deadline' })
    }
    if (input.cutOffs) {
      const instants = input.cutOffs.map((cutOff) => Date.parse(cutOff))
      if (instants.some((instant, index) => index > 0 && instant <= (instants[index - 1] as number))) {
        ctx.addIssue({
          code: 'custom',
          path: ['cutOffs'],
          message: 'must be distinct and in ascending order',
        })
      }
      const last = instants[instants.length - 1] as number
      if (input.deadline === undefined || deadlineExpiresAt(input.deadline) !== last + 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['deadline'],
          message: 'must be the last cut-off: after it no new application is possible',
        })
      }
    }
  })
  .meta({ id: 'InstrumentInput' })

export type InstrumentInput = z.output<typeof InstrumentInput>

/** Who chose an instrument's features: an editor, or the suggestion engine (a synced call). */
export const FEATURE_ORIGINS = ['editor', 'suggested'] as const
export type FeatureOrigin = (typeof FEATURE_ORIGINS)[number]

/** Sources instruments are synced from; `eu-ft` is the EU Funding & Tenders Portal. */
export const SOURCE_NAMES = ['eu-ft'] as const
export type SourceName = (typeof SOURCE_NAMES)[number]

export const InstrumentSource = z
  .strictObject({
    name: z.enum(SOURCE_NAMES),
    /** The source's own identifier (the portal's topic identifier). */
    id: z.string().min(1).max(200),
    /** The instrument's page at the source. */
    url: z.url(),
    /** When the sync last read it from the source. */
    syncedAt: z.iso.datetime(),
  })
  .meta({ id: 'InstrumentSource', description: 'Where a synced instrument comes from' })
export type InstrumentSource = z.output<typeof InstrumentSource>

/** Whether a field of a synced instrument still follows its source, or an editor has set it. */
export const FIELD_PROVENANCES = ['source', 'editor'] as const
export type FieldProvenance = (typeof FIELD_PROVENANCES)[number]
export type Provenance = Partial<Record<keyof InstrumentInput, FieldProvenance>>

/**
 * What the server, not the client, decides about an instrument's content: where its features and
 * fields come from and whether the public may see it. Clients never send these (the input is
 * strict); editors' changes, the sync and the review queue set them (shared/catalogue/editing).
 */
export interface InstrumentAnnotations {
  /** Absent means `editor` (every instrument before the sync existed). */
  featureOrigin?: FeatureOrigin
  /** `false` while held for review (a synced call without confident features): no public endpoint returns it. Absent means published. */
  published?: boolean
  source?: InstrumentSource
  /** Per field of a synced instrument: `editor` once an editor changed it (the sync never overwrites it again). */
  provenance?: Provenance
}

/** What a write stores: the editor's (or the sync's) input and its annotations. */
export type InstrumentContent = InstrumentInput & InstrumentAnnotations

/** What the store holds: the content plus server-owned fields. */
export interface InstrumentRecord extends InstrumentContent, ServerOwnedFields {}

export const Instrument = InstrumentInput.safeExtend({
  id: z.string().meta({ example: '01JD3X9Q4V6N7P8R9S0T1U2V3W' }),
  status: z.enum(STATUSES),
  version: z.number().int().min(1),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedBy: z.string(),
  featureOrigin: z.enum(FEATURE_ORIGINS).optional().meta({
    description:
      '`suggested` when the features were suggested automatically and no editor has confirmed them yet',
  }),
  source: InstrumentSource.optional(),
  provenance: z.partialRecord(z.string(), z.enum(FIELD_PROVENANCES)).optional(),
}).meta({ id: 'Instrument', description: 'A funding instrument as the public sees it' })

export type Instrument = InstrumentRecord & { status: InstrumentStatus }

/** Epoch milliseconds from which the instrument counts as expired, or undefined if open-ended. */
export function expiresAt(instrument: Pick<InstrumentInput, 'deadline'>): number | undefined {
  return instrument.deadline === undefined ? undefined : deadlineExpiresAt(instrument.deadline)
}

export function isExpired(instrument: Pick<InstrumentInput, 'deadline'>, now: Date): boolean {
  const at = expiresAt(instrument)
  return at !== undefined && now.getTime() >= at
}

/** Derived, never written by clients: forthcoming before `opensAt`, expired after the deadline. */
export function instrumentStatus(
  instrument: Pick<InstrumentInput, 'deadline' | 'opensAt'>,
  now: Date,
): InstrumentStatus {
  if (isExpired(instrument, now)) return 'expired'
  if (instrument.opensAt !== undefined && now.getTime() < brusselsDayStart(instrument.opensAt))
    return 'forthcoming'
  return 'open'
}

/** Held instruments (a synced call waiting for an editor) are never shown by public endpoints. */
export function isPublished(record: Pick<InstrumentAnnotations, 'published'>): boolean {
  return record.published !== false
}

/** Why an instrument waits for an editor, if it does: held (not public yet), or its features only suggested. */
export const REVIEW_REASONS = ['held', 'suggested'] as const
export type ReviewReason = (typeof REVIEW_REASONS)[number]

export function reviewReason(
  record: Pick<InstrumentAnnotations, 'published' | 'featureOrigin'>,
): ReviewReason | undefined {
  if (!isPublished(record)) return 'held'
  if (record.featureOrigin === 'suggested') return 'suggested'
  return undefined
}

/** The public view of a stored record at an instant. */
export function toPublicInstrument(record: InstrumentRecord, now: Date): Instrument {
  const { published: _published, ...visible } = record
  return { ...visible, status: instrumentStatus(record, now) }
}

/**
 * The instants at which an instrument's closings pass (epoch ms, ascending, each like `expiresAt`):
 * every cut-off of a multiple cut-off call, the last one its deadline; else the deadline alone;
 * none when open-ended. A cut-off not before the deadline is not a closing of its own, so the last
 * closing is always `expiresAt`: the instrument stays open until then.
 */
export function closingsOf(instrument: Pick<InstrumentInput, 'deadline' | 'cutOffs'>): number[] {
  const last = expiresAt(instrument)
  if (last === undefined) return []
  const earlier = (instrument.cutOffs ?? []).map(deadlineExpiresAt).filter((at) => at < last)
  return [...earlier, last]
}

/**
 * Which of ascending `closings` (as `closingsOf` returns them) is the next one at `at` (ms): the
 * first that has not passed, found by binary search; `closings.length` when all have passed. The
 * one rule behind every "when does it close next": the result cards' "closes in N days",
 * `closingWithin`, the deadline range filters, the deadline sort and the digest's reminders.
 */
export function nextClosingIndex(closings: ArrayLike<number>, at: number): number {
  let low = 0
  let high = closings.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if ((closings[middle] as number) <= at) low = middle + 1
    else high = middle
  }
  return low
}

/**
 * The next instant at which applications close: the next cut-off still ahead of `now` for a
 * multiple cut-off call, else the deadline ("closes in N days" counts to it); the last closing
 * once all have passed. Undefined when open-ended.
 */
export function nextClosing(
  instrument: Pick<InstrumentInput, 'deadline' | 'cutOffs'>,
  now: Date,
): number | undefined {
  const closings = closingsOf(instrument)
  if (closings.length === 0) return undefined
  const next = Math.min(nextClosingIndex(closings, now.getTime()), closings.length - 1)
  return (closings[next] as number) - 1
}

/** Creating or updating with a deadline already past makes no sense: the call has closed. */
export function assertDeadlineNotPast(instrument: Pick<InstrumentInput, 'deadline'>, now: Date): void {
  if (instrument.deadline !== undefined && isExpired(instrument, now)) {
    throw new BusinessRuleViolation('The deadline has already passed.', [
      {
        path: 'deadline',
        message: `${instrument.deadline} is in the past (deadlines close at the end of the day, Europe/Brussels)`,
      },
    ])
  }
}
