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
  })
  .meta({ id: 'InstrumentInput' })

export type InstrumentInput = z.output<typeof InstrumentInput>

/** What the repository stores: the input plus server-owned fields. */
export interface InstrumentRecord extends InstrumentInput, ServerOwnedFields {}

export const Instrument = InstrumentInput.safeExtend({
  id: z.string().meta({ example: '01JD3X9Q4V6N7P8R9S0T1U2V3W' }),
  status: z.enum(STATUSES),
  version: z.number().int().min(1),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedBy: z.string(),
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

/** The public view of a stored record at an instant. */
export function toPublicInstrument(record: InstrumentRecord, now: Date): Instrument {
  return { ...record, status: instrumentStatus(record, now) }
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
