import { z } from 'zod'
import { COUNTRY_CODES } from '../countries'
import { CalendarDate, INSTRUMENT_KINDS, Instrument, ORIGINS } from '../instrument'
import { FEATURE_CODES, type FeatureCode, isFeatureCode, sortFeatureCodes } from '../taxonomy'
import { queryWords } from './normalise-text'

/**
 * The search and match inputs, as zod schemas shared by the API, the web pages, the exports and the
 * portfolios. `SearchQuery` parses URL query parameters (strings; a repeated parameter arrives as an
 * array, as Hono and `searchQueryFromParams` deliver it) into `SearchCriteria`, which the engine
 * (`searchInstruments`) takes.
 *
 * Rules, each failure a 400 naming the parameter:
 * - lists are comma-separated; only `features` may also be repeated (`features=T1&features=P12`,
 *   as an HTML form sends it); any other parameter given twice is refused, as is an unknown
 *   parameter or an empty value (`country=`);
 * - feature and country codes are accepted in any case and normalised to upper case (`p12` = `P12`);
 *   enum values (`match`, `origin`, `kind`, `sort`) must be spelled as documented;
 * - `page * limit` may not exceed `MAX_SEARCH_WINDOW`: deep paging past it is refused rather than
 *   served slowly; narrow the search instead.
 */

export const SORTS = ['relevance', 'deadline', 'name', 'updated'] as const
export const MATCH_MODES = ['any', 'all'] as const

export const MAX_QUERY_LENGTH = 200
export const MAX_LIMIT = 100
export const DEFAULT_LIMIT = 10
/** The deepest result a page may reach (`page * limit`). */
export const MAX_SEARCH_WINDOW = 10_000
export const MAX_CLOSING_WITHIN_DAYS = 366
export const MAX_BUDGET = 1e12

/** One value; a repeated parameter (an array) or an empty one is refused with a message naming why. */
const single = () =>
  z
    .string({
      error: (issue) =>
        Array.isArray(issue.input) ? 'must be given at most once' : 'must be a single text value',
    })
    .min(1, 'must not be empty')

const enumError = (message: string) => (issue: { input?: unknown }) =>
  Array.isArray(issue.input) ? 'must be given at most once' : message

const splitList = (value: string | string[]): string[] =>
  (Array.isArray(value) ? value : [value]).flatMap((part) => part.split(',')).map((item) => item.trim())

/** A comma-separated list; each item must be non-empty and pass `item`; duplicates are dropped. */
const list = <T extends z.ZodType>(item: T, options: { repeatable?: boolean; upperCase?: boolean }) =>
  (options.repeatable ? z.union([single(), z.array(single()).min(1)]) : single())
    .transform((value) => {
      const items = splitList(value)
      return options.upperCase ? items.map((entry) => entry.toUpperCase()) : items
    })
    .pipe(
      z
        .array(
          z
            .string()
            .min(1, 'list items must not be empty')
            .pipe(item as unknown as z.ZodType<z.output<T>, string>),
        )
        .transform((items) => [...new Set(items)] as z.output<T>[]),
    )

const wholeNumber = (min: number, max: number) =>
  single()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))

const amount = () =>
  single()
    .regex(/^\d{1,13}(\.\d{1,2})?$/, 'must be a non-negative amount such as 250000 or 99.50')
    .transform(Number)
    .pipe(z.number().min(0).max(MAX_BUDGET))

const FeatureCodeItem = z
  .string()
  .refine(isFeatureCode, { error: (issue) => `unknown feature code '${String(issue.input)}'` })
const CountryItem = z.string().refine((code) => COUNTRY_CODES.has(code), {
  error: (issue) => `'${String(issue.input)}' is not an ISO 3166-1 alpha-2 country code`,
})

const param = (description: string, example?: string) => ({
  description,
  ...(example === undefined ? {} : { example }),
})

export const SearchQuery = z
  .strictObject({
    q: single()
      .max(MAX_QUERY_LENGTH, `must be at most ${MAX_QUERY_LENGTH} characters`)
      .refine((q) => queryWords(q).length > 0, 'must contain at least one letter or digit')
      .optional()
      .meta(
        param(
          'Words that must all occur in the name, description, funder or programme, each as the start of a word; case- and accent-insensitive ("societe" finds "Société", "cyber" finds "cybersecurity")',
          'cyber resilience',
        ),
      ),
    features: list(FeatureCodeItem, { repeatable: true, upperCase: true })
      .transform((codes) => sortFeatureCodes(codes))
      .optional()
      .meta(
        param('Taxonomy codes, comma-separated or repeated (`features=T1&features=P12`); any case', 'T1,P12'),
      ),
    match: z
      .enum(MATCH_MODES, { error: enumError("must be 'any' or 'all'") })
      .default('any')
      .meta(param('`any` (default): at least one of `features`; `all`: every one of them')),
    origin: list(z.enum(ORIGINS), {})
      .optional()
      .meta(param('Comma-separated origins: international, national, regional', 'national,regional')),
    country: list(CountryItem, { upperCase: true })
      .optional()
      .meta(
        param(
          'Comma-separated ISO 3166-1 alpha-2 codes, any case (international instruments have none)',
          'DK,NO',
        ),
      ),
    includeInternational: single()
      .pipe(z.enum(['true', 'false'], { error: enumError("must be 'true' or 'false'") }))
      .transform((value) => value === 'true')
      .optional()
      .meta(
        param(
          'With `country`: also return international instruments (open to applicants from any country), `true` or `false` (default)',
          'true',
        ),
      ),
    kind: list(z.enum(INSTRUMENT_KINDS), {})
      .optional()
      .meta(param('Comma-separated kinds: call, programme, strategy', 'call')),
    deadlineFrom: single()
      .pipe(CalendarDate)
      .optional()
      .meta(
        param(
          'A closing on or after this date (Brussels): the deadline, or for a multiple cut-off call any cut-off not yet passed (so it can still be applied to then); open-ended instruments are excluded',
          '2027-01-01',
        ),
      ),
    deadlineTo: single()
      .pipe(CalendarDate)
      .optional()
      .meta(
        param(
          'Closing next on or before this date (Brussels): the deadline, or for a multiple cut-off call its next cut-off; open-ended instruments are excluded. With deadlineFrom, one of its remaining closings falls between the two',
          '2027-06-30',
        ),
      ),
    closingWithin: wholeNumber(1, MAX_CLOSING_WITHIN_DAYS)
      .optional()
      .meta(
        param(
          'Closing soon: the next closing (the deadline, or for a multiple cut-off call its next cut-off) falls between today and today + N days (Brussels calendar days, 1-366); open-ended instruments are excluded',
          '30',
        ),
      ),
    budgetMin: amount()
      .optional()
      .meta(
        param(
          "The instrument's budget range must reach at least this amount (overlap; in the instrument's own currency, no conversion); instruments without a stated budget are excluded",
          '100000',
        ),
      ),
    budgetMax: amount()
      .optional()
      .meta(
        param(
          "The instrument's budget range must start at or below this amount (overlap; in the instrument's own currency); instruments without a stated budget are excluded",
          '2000000',
        ),
      ),
    sort: z
      .enum(SORTS, { error: enumError(`must be one of ${SORTS.join(', ')}`) })
      .default('relevance')
      .meta(
        param(
          '`relevance` (default): most requested features matched first, then soonest next closing; `deadline`: soonest next closing first (a multiple cut-off call by its next cut-off), open-ended last; `name`: A-Z; `updated`: most recently changed first. Ties are broken by name, then id',
        ),
      ),
    page: wholeNumber(1, MAX_SEARCH_WINDOW).default(1).meta(param('Page number, from 1', '1')),
    limit: wholeNumber(1, MAX_LIMIT)
      .default(DEFAULT_LIMIT)
      .meta(param(`Results per page, 1-${MAX_LIMIT} (default ${DEFAULT_LIMIT})`, '10')),
  })
  .superRefine((query, ctx) => {
    if (query.deadlineFrom && query.deadlineTo && query.deadlineFrom > query.deadlineTo) {
      ctx.addIssue({ code: 'custom', path: ['deadlineFrom'], message: 'must not be after deadlineTo' })
    }
    if (query.budgetMin !== undefined && query.budgetMax !== undefined && query.budgetMin > query.budgetMax) {
      ctx.addIssue({ code: 'custom', path: ['budgetMin'], message: 'must not exceed budgetMax' })
    }
    if (query.page * query.limit > MAX_SEARCH_WINDOW) {
      ctx.addIssue({
        code: 'custom',
        path: ['page'],
        message: `page x limit must not exceed ${MAX_SEARCH_WINDOW}; narrow the search instead of paging this deep`,
      })
    }
  })

/** Parsed search parameters: what `searchInstruments` takes. */
export type SearchCriteria = Omit<z.output<typeof SearchQuery>, 'features'> & { features?: FeatureCode[] }

/** Criteria with the defaults filled in, for programmatic callers (exports, feeds, portfolios). */
export function searchCriteria(overrides: Partial<SearchCriteria> = {}): SearchCriteria {
  return { match: 'any', sort: 'relevance', page: 1, limit: DEFAULT_LIMIT, ...overrides }
}

/**
 * URL search parameters as `SearchQuery` expects them (a parameter given once is a string, a repeated
 * one an array), the way Hono's validator shapes `c.req.queries()`. For the web pages.
 */
export function searchQueryFromParams(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {}
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key)
    query[key] = values.length === 1 ? (values[0] as string) : values
  }
  return query
}

const OneOrMany = <T extends z.ZodType>(item: T) =>
  z
    .union([item, z.array(item).min(1)])
    .transform((value) => [...new Set(Array.isArray(value) ? value : [value])])

/** A project's feature profile, to rank instruments by how much of it they cover. */
export const MatchRequest = z
  .strictObject({
    features: z
      .array(
        z
          .string()
          .transform((code) => code.toUpperCase())
          .pipe(FeatureCodeItem),
      )
      .min(1)
      .max(FEATURE_CODES.length)
      .refine((codes) => new Set(codes).size === codes.length, 'feature codes must be unique')
      .transform((codes) => sortFeatureCodes(codes))
      .meta({
        description: "The project's features: 1-54 unique taxonomy codes",
        example: ['T1', 'P3', 'P12'],
      }),
    origin: OneOrMany(z.enum(ORIGINS)).optional().meta({ description: 'One origin or a list' }),
    country: OneOrMany(
      z
        .string()
        .transform((code) => code.toUpperCase())
        .pipe(CountryItem),
    )
      .optional()
      .meta({ description: 'One ISO 3166-1 alpha-2 code or a list (international instruments have none)' }),
    includeInternational: z.boolean().optional().meta({
      description:
        'With `country`: also rank international instruments, which are open to applicants from any country (a project in Denmark: Danish and EU-wide funding). Default false.',
    }),
    kind: OneOrMany(z.enum(INSTRUMENT_KINDS)).optional().meta({ description: 'One kind or a list' }),
    limit: z.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT),
  })
  .meta({ id: 'MatchRequest' })

export type MatchCriteria = Omit<z.output<typeof MatchRequest>, 'features'> & { features: FeatureCode[] }

/**
 * The search a match runs: any of the project's features, by relevance, narrowed by the match's
 * filters. `POST /v1/match`, a project's matches and a project watch's digests all rank this way.
 */
export function matchSearchCriteria(
  features: SearchCriteria['features'],
  filters: Pick<MatchCriteria, 'origin' | 'country' | 'includeInternational' | 'kind'>,
): SearchCriteria {
  return searchCriteria({
    features,
    match: 'any',
    sort: 'relevance',
    ...(filters.origin ? { origin: filters.origin } : {}),
    ...(filters.country ? { country: filters.country } : {}),
    ...(filters.includeInternational ? { includeInternational: true } : {}),
    ...(filters.kind ? { kind: filters.kind } : {}),
  })
}

/** How many results have each value, over the whole result set (values with no result are left out). */
export const SearchFacets = z
  .object({
    features: z.record(z.string(), z.number().int()),
    origin: z.record(z.string(), z.number().int()),
    country: z.record(z.string(), z.number().int()),
    kind: z.record(z.string(), z.number().int()),
  })
  .meta({
    id: 'SearchFacets',
    example: {
      features: { T1: 3, P12: 5 },
      origin: { national: 5 },
      country: { DK: 5 },
      kind: { call: 4, programme: 1 },
    },
  })

export const SearchItem = Instrument.safeExtend({
  matchedFeatures: z
    .array(z.string())
    .optional()
    .meta({ description: 'The requested `features` this instrument has (only when `features` was given)' }),
}).meta({ id: 'SearchItem' })

export const SearchResponse = z
  .object({
    items: z.array(SearchItem),
    page: z.number().int(),
    limit: z.number().int(),
    total: z.number().int().meta({ description: 'Results over all pages' }),
    facets: SearchFacets,
  })
  .meta({ id: 'SearchResponse' })

export const MatchItem = z
  .object({
    instrument: Instrument,
    score: z.number().meta({ description: 'matched / requested, in (0, 1]' }),
    matched: z.array(z.string()),
    missing: z.array(z.string()),
  })
  .meta({ id: 'MatchItem' })

export const MatchResponse = z
  .object({
    items: z.array(MatchItem),
    total: z.number().int().meta({ description: 'Instruments matching at least one feature' }),
  })
  .meta({ id: 'MatchResponse' })
