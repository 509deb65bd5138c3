import { z } from 'zod'

/**
 * The EU Funding & Tenders Portal's public search API, as its own web pages call it (`apiKey=SEDIA`).
 * What is known about it, and from where, is written down in ./data/README.md; the points the code
 * depends on:
 * - POST with a multipart body whose `query`, `languages` and `sort` parts are JSON, each sent as a
 *   part of type `application/json` (as a browser sends a Blob). Sent as plain fields, or as a JSON
 *   body, the filters are ignored or the gateway answers 500.
 * - `pageSize` and `pageNumber` (from 1) are query parameters; paging is by offset and not a
 *   snapshot, so results can repeat across pages: they are deduplicated by `reference`.
 * - The answer is `{ totalResults, pageNumber, pageSize, results }`; every metadata value of a
 *   result is an array (usually of one string).
 */

export const DEFAULT_SEARCH_URL = 'https://api.tech.ec.europa.eu/search-api/prod/rest/search'

/** The largest page the public clients use; no public evidence of a larger maximum. */
export const MAX_PAGE_SIZE = 100

export const STATUS = {
  forthcoming: '31094501',
  open: '31094502',
  closed: '31094503',
} as const
export type PortalStatus = keyof typeof STATUS
const STATUS_BY_CODE = new Map<string, PortalStatus>(
  Object.entries(STATUS).map(([name, code]) => [code, name as PortalStatus]),
)

export function portalStatus(code: string): PortalStatus | undefined {
  return STATUS_BY_CODE.get(code)
}

/**
 * Result types that are grants: `1` a call-for-proposals topic, `2` an EU external action call
 * (EuropeAid/PROSPECT), `8` a cascade-funding call of an EU-funded project (open calls for third
 * parties). Tenders (procurement, `0`) are not funding a company applies to here.
 */
export const GRANT_TYPES = ['1', '2', '8'] as const
export type GrantType = (typeof GRANT_TYPES)[number]

/** The Elasticsearch-like query: open and forthcoming grants, of the given programmes if any. */
export function searchQuery(programmes: readonly string[]): unknown {
  const must: unknown[] = [
    { terms: { type: [...GRANT_TYPES] } },
    { terms: { status: [STATUS.forthcoming, STATUS.open] } },
  ]
  if (programmes.length > 0) must.push({ terms: { frameworkProgramme: [...programmes] } })
  return { bool: { must } }
}

/**
 * Sorted by identifier (ascending): a stable order, so that pages do not shuffle between requests.
 * Identifiers are not unique (cascade calls repeat their parent topic's), hence also the dedupe.
 */
export const SEARCH_SORT = { field: 'identifier', order: 'ASC' } as const

/** Without `["en"]` every topic comes back once per language, with different deadlines. */
export const SEARCH_LANGUAGES = ['en'] as const

/** The request of one page: the URL (query parameters set) and the multipart body. */
export function searchRequest(
  searchUrl: string,
  options: { pageNumber: number; pageSize: number; programmes: readonly string[] },
): { url: string; body: FormData } {
  const url = new URL(searchUrl)
  if (!url.searchParams.has('apiKey')) url.searchParams.set('apiKey', 'SEDIA')
  if (!url.searchParams.has('text')) url.searchParams.set('text', '***')
  url.searchParams.set('pageSize', String(options.pageSize))
  url.searchParams.set('pageNumber', String(options.pageNumber))
  const body = new FormData()
  const json = (value: unknown) => new Blob([JSON.stringify(value)], { type: 'application/json' })
  body.append('query', json(searchQuery(options.programmes)))
  body.append('languages', json(SEARCH_LANGUAGES))
  body.append('sort', json(SEARCH_SORT))
  return { url: url.toString(), body }
}

/** One page of results; results stay `unknown` here: each is checked on its own, so one bad result never spoils a page. */
export const SearchPage = z.object({
  totalResults: z.number().int().nonnegative(),
  pageNumber: z.number().int().optional(),
  pageSize: z.number().int().optional(),
  results: z.array(z.unknown()),
})
export type SearchPage = z.output<typeof SearchPage>

/** A result as far as the sync relies on its shape: an object with a metadata object. */
export interface PortalResult {
  reference?: unknown
  url?: unknown
  title?: unknown
  summary?: unknown
  content?: unknown
  metadata: Record<string, unknown>
  [key: string]: unknown
}

export function isPortalResult(value: unknown): value is PortalResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const metadata = (value as { metadata?: unknown }).metadata
  return typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)
}

/** Every value of a metadata field that is a string (numbers are read as their decimal text). */
export function metadataValues(result: PortalResult, field: string): string[] {
  const value = result.metadata[field]
  const values = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value]
  return values.flatMap((item) =>
    typeof item === 'string' ? [item] : typeof item === 'number' ? [String(item)] : [],
  )
}

/** The first non-empty value of a metadata field, trimmed. */
export function firstValue(result: PortalResult, field: string): string | undefined {
  for (const value of metadataValues(result, field)) {
    const trimmed = value.trim()
    if (trimmed) return trimmed
  }
  return undefined
}

/** A top-level string field of a result, trimmed, if non-empty. */
export function topLevelText(
  result: PortalResult,
  field: 'reference' | 'url' | 'title' | 'summary' | 'content',
): string | undefined {
  const value = result[field]
  return typeof value === 'string' && value.trim() ? value.trim() : undefined
}
