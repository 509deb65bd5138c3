import { createHash, randomBytes } from 'node:crypto'
import { z } from 'zod'
import { countryName } from '../catalogue/countries'
import {
  MatchRequest,
  type SearchCriteria,
  SearchQuery,
  searchQueryFromParams,
} from '../catalogue/search/search-query'
import { FEATURE_LABELS } from '../catalogue/taxonomy'
import { type FieldError, fieldErrors } from '../platform/field-errors'
import { EmailAddress } from './email-address'

/**
 * What a subscription is: an address, what it watches (a saved search or a portfolio project), how
 * often, and when consent was given and confirmed. Nothing else about the subscriber is kept.
 */

export const FREQUENCIES = ['daily', 'weekly'] as const
export type Frequency = (typeof FREQUENCIES)[number]

export const SUBSCRIPTION_STATES = ['pending', 'confirmed'] as const
export type SubscriptionState = (typeof SUBSCRIPTION_STATES)[number]

export const MAX_QUERY_STRING_LENGTH = 2000
/** How many instrument ids a subscription remembers as known (see `DigestState.known`). */
export const MAX_KNOWN = 2000

const FrequencySchema = z
  .enum(FREQUENCIES, { error: "must be 'daily' or 'weekly'" })
  .meta({ description: '`daily` (07:00 Brussels time) or `weekly` (Mondays, 07:00 Brussels time)' })

/** A search query string as `GET /v1/instruments` takes it, checked by the very same schema. */
export type SavedSearchCheck =
  | { ok: true; canonical: string; criteria: SearchCriteria }
  | { ok: false; errors: FieldError[] }

/**
 * Validates a saved search exactly like a search (`SearchQuery`), and gives it a canonical form:
 * the criteria that decide what matches, in a fixed order. Paging and sort order say nothing about
 * which instruments match, so they are dropped.
 */
export function checkSavedSearch(query: string): SavedSearchCheck {
  const params = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query)
  for (const ignored of ['page', 'limit', 'sort']) params.delete(ignored)
  const parsed = SearchQuery.safeParse(searchQueryFromParams(params))
  if (!parsed.success) {
    // `features.0` -> `features`: the parameter is what a reader can find in the query string.
    const errors = fieldErrors(parsed.error.issues).map((error) => ({
      ...error,
      path: error.path.replace(/(\.\d+)+$/, ''),
    }))
    return { ok: false, errors }
  }
  const criteria = parsed.data as SearchCriteria
  return { ok: true, canonical: canonicalQuery(criteria), criteria }
}

function canonicalQuery(criteria: SearchCriteria): string {
  const parts: [string, string | undefined][] = [
    ['q', criteria.q],
    ['features', criteria.features?.join(',')],
    ['match', criteria.match === 'all' ? 'all' : undefined],
    ['origin', criteria.origin?.join(',')],
    ['country', criteria.country?.join(',')],
    ['includeInternational', criteria.includeInternational ? 'true' : undefined],
    ['kind', criteria.kind?.join(',')],
    ['deadlineFrom', criteria.deadlineFrom],
    ['deadlineTo', criteria.deadlineTo],
    ['closingWithin', criteria.closingWithin?.toString()],
    ['budgetMin', criteria.budgetMin?.toString()],
    ['budgetMax', criteria.budgetMax?.toString()],
  ]
  return parts
    .filter((part): part is [string, string] => part[1] !== undefined && part[1] !== '')
    .map(([key, value]) => `${key}=${encodeURIComponent(value).replace(/%2C/g, ',')}`)
    .join('&')
}

const SavedSearchQuery = z
  .string()
  .max(MAX_QUERY_STRING_LENGTH, `must be at most ${MAX_QUERY_STRING_LENGTH} characters`)
  .transform((query, ctx) => {
    const check = checkSavedSearch(query)
    if (check.ok) return check.canonical
    for (const error of check.errors) {
      ctx.addIssue({ code: 'custom', message: `${error.path || 'query'}: ${error.message}` })
    }
    return z.NEVER
  })
  .meta({
    description:
      'A search query string, exactly as `GET /v1/instruments` takes it (`features=T13,P3&country=DK`); `page`, `limit` and `sort` are ignored',
    example: 'features=T13,P3&country=DK',
  })

/** `POST /v1/subscriptions` (and the search page's form): save a search. */
export const SearchSubscriptionRequest = z
  .strictObject({ email: EmailAddress, query: SavedSearchQuery, frequency: FrequencySchema })
  .meta({ id: 'SearchSubscriptionRequest' })
export type SearchSubscriptionRequest = z.output<typeof SearchSubscriptionRequest>

/**
 * The filters of `GET /v1/projects/{id}/matches`, as JSON. Without `country`, a watch matches where
 * the project can be funded: its country and international instruments (`projectMatchFilters`).
 */
const ProjectFilters = {
  origin: MatchRequest.shape.origin,
  country: MatchRequest.shape.country.meta({
    description:
      "One ISO 3166-1 alpha-2 code or a list (international instruments have none). Default: the project's own country, with international instruments; a project without a country is matched in every country",
  }),
  includeInternational: MatchRequest.shape.includeInternational.meta({
    description:
      "With `country`: also match international instruments. Default false when `country` is given, true for the default (the project's country)",
  }),
  kind: MatchRequest.shape.kind,
}

/** `POST /v1/projects/{id}/subscriptions`: watch a project of the caller's organisation. */
export const ProjectWatchRequest = z
  .strictObject({ email: EmailAddress, frequency: FrequencySchema, ...ProjectFilters })
  .meta({ id: 'ProjectWatchRequest' })
export type ProjectWatchRequest = z.output<typeof ProjectWatchRequest>

export interface ProjectFilterValues {
  origin?: ('international' | 'national' | 'regional')[] | undefined
  country?: string[] | undefined
  includeInternational?: boolean | undefined
  kind?: ('call' | 'programme' | 'strategy')[] | undefined
}

/** What a subscription watches. */
export type SubscriptionSubject =
  | { kind: 'search'; query: string }
  | {
      kind: 'project'
      org: string
      projectId: string
      /** The project's name when the watch was requested, for the last note if the project goes. */
      projectName: string
      filters: ProjectFilterValues
    }

export interface SubscriptionRecord {
  id: string
  email: string
  addressHash: string
  subject: SubscriptionSubject
  frequency: Frequency
  state: SubscriptionState
  /** When the subscriber asked (the consent the confirmation then proves). */
  consentAt: string
  confirmedAt?: string | undefined
  /** Pending only: when the unconfirmed request is forgotten (epoch seconds, DynamoDB TTL). */
  ttl?: number | undefined
  /** Confirmed only: when the next digest is due (epoch ms). */
  dueAt?: number | undefined
  /** The last digest period claimed (`YYYY-MM-DD`, the Brussels date the period starts). */
  lastPeriod?: string | undefined
}

/**
 * One subscription per address and subject: asking twice for the same search (in any spelling of
 * the same criteria) or the same project finds the same subscription instead of adding a second.
 */
export function subscriptionId(addressHashValue: string, subject: SubscriptionSubject): string {
  const key =
    subject.kind === 'search'
      ? `search\u0000${subject.query}`
      : `project\u0000${subject.org}\u0000${subject.projectId}\u0000${JSON.stringify(subject.filters)}`
  return createHash('sha256').update(`${addressHashValue}\u0000${key}`).digest('base64url').slice(0, 22)
}

/**
 * A project watch's own id, as its organisation sees it: 16 random bytes (base64url, 22 characters),
 * kept on the watch's link item. Never the subscription id: that one is derived from the address
 * (`subscriptionId`), so listing it would let anyone who can list check a guessed address offline.
 */
export function newWatchId(): string {
  return randomBytes(16).toString('base64url')
}

/**
 * Whether a subscription is a confirmed watch of this project of this organisation: what its
 * organisation may see and end. A pending request is not a watch yet (no digest goes out for it).
 */
export function isConfirmedWatchOf(record: SubscriptionRecord, org: string, projectId: string): boolean {
  return (
    record.state === 'confirmed' &&
    record.subject.kind === 'project' &&
    record.subject.org === org &&
    record.subject.projectId === projectId
  )
}

/** What `newWatchId` gives: the path parameter of the API's and the web page's "end this watch". */
export const WatchId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{22}$/, 'must be the id of a watch, as the list gives it')

/** A saved search in words, for emails and pages: "features T13 Secure ..., P3 ...; country Denmark". */
export function describeSearch(criteria: SearchCriteria): string {
  const parts: string[] = []
  if (criteria.q) parts.push(`words "${criteria.q}"`)
  if (criteria.features?.length) {
    const features = criteria.features.map((code) => {
      const label = FEATURE_LABELS.get(code)
      return label ? `${code} (${label})` : code
    })
    parts.push(`${criteria.match === 'all' ? 'all of' : 'any of'} the features ${features.join(', ')}`)
  }
  if (criteria.origin) parts.push(`origin ${criteria.origin.join(' or ')}`)
  if (criteria.country) {
    const countries = criteria.country.map((code) => countryName(code)).join(' or ')
    parts.push(`country ${countries}${criteria.includeInternational ? ' (and international)' : ''}`)
  }
  if (criteria.kind) parts.push(`kind ${criteria.kind.join(' or ')}`)
  if (criteria.deadlineFrom) parts.push(`deadline from ${criteria.deadlineFrom}`)
  if (criteria.deadlineTo) parts.push(`deadline until ${criteria.deadlineTo}`)
  if (criteria.closingWithin !== undefined) parts.push(`closing within ${criteria.closingWithin} days`)
  if (criteria.budgetMin !== undefined) parts.push(`budget at least ${criteria.budgetMin}`)
  if (criteria.budgetMax !== undefined) parts.push(`budget at most ${criteria.budgetMax}`)
  return parts.length > 0 ? parts.join('; ') : 'every instrument in the catalogue'
}
