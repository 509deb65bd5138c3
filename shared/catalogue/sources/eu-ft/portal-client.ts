import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../../../platform/logger'
import type { SyncFailure } from '../sync-instruments'
import { MAX_PAGE_SIZE, SearchPage, searchRequest } from './protocol'

/**
 * Reads every open and forthcoming grant topic from the portal's search API, politely: one page
 * at a time with a pause between pages, a User-Agent that names the project, and retries with
 * exponential backoff (and jitter) on 5xx and 429 answers, timeouts, network errors and answers
 * that are not the JSON page they should be. A 4xx other than 429 is not retried: the request
 * itself is wrong and sending it again would not help.
 *
 * The read is complete only if every page was read and the distinct results add up to the
 * largest `totalResults` the portal announced: paging is by offset, so a topic added or removed
 * during the read shifts the pages and can make a result fall between two of them. A page that still fails after its retries is reported and the read
 * goes on with the next page, unless two pages in a row failed (the source is down) or the
 * first page failed (the number of pages is unknown).
 */

export interface PortalClientOptions {
  searchUrl: string
  /** `frameworkProgramme` ids to keep; empty: every programme. */
  programmes: readonly string[]
  userAgent: string
  pageSize?: number
  /** Pause between two pages. */
  pageDelayMs?: number
  /** Per request, body included. */
  timeoutMs?: number
  /** Tries per page, the first included. */
  maxAttempts?: number
  /** First backoff; doubled on each retry. */
  retryBaseMs?: number
  /** A read that would need more pages is incomplete. */
  maxPages?: number
  /** A page answer larger than this is refused (a 10 MB description fits easily). */
  maxPageBytes?: number
  logger: Logger
  /** For tests: a fetch that is not the global one. */
  fetch?: typeof fetch
}

export interface PortalRead {
  /** Every result received, in the order received, with its page. */
  results: { page: number; result: unknown }[]
  complete: boolean
  pagesRead: number
  totalResults?: number | undefined
  /** Pages that could not be read (`page N`), and why the read is incomplete. */
  failures: SyncFailure[]
}

export const PORTAL_DEFAULTS = {
  pageSize: MAX_PAGE_SIZE,
  pageDelayMs: 1000,
  timeoutMs: 30_000,
  maxAttempts: 4,
  retryBaseMs: 2000,
  maxPages: 100,
  maxPageBytes: 64 * 1024 * 1024,
} as const

/** A failure of one request, and whether trying again may help. */
class PageError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message)
  }
}

async function readBody(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel()
    throw new PageError(`answer of ${declared} bytes is larger than ${maxBytes}`, false)
  }
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      throw new PageError(`answer larger than ${maxBytes} bytes`, false)
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function retryAfterMs(response: Response): number | undefined {
  const header = response.headers.get('retry-after')
  if (!header) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.min(seconds * 1000, 60_000)
  const at = Date.parse(header)
  return Number.isNaN(at) ? undefined : Math.min(Math.max(at - Date.now(), 0), 60_000)
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out'
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    return cause?.code ? `${error.message} (${cause.code})` : error.message
  }
  return String(error)
}

async function fetchPage(
  options: Required<Omit<PortalClientOptions, 'fetch'>> & { fetch: typeof fetch },
  pageNumber: number,
): Promise<SearchPage> {
  const { url, body } = searchRequest(options.searchUrl, {
    pageNumber,
    pageSize: options.pageSize,
    programmes: options.programmes,
  })
  let response: Response
  let text: string
  try {
    const signal = AbortSignal.timeout(options.timeoutMs)
    response = await options.fetch(url, {
      method: 'POST',
      body,
      headers: { accept: 'application/json', 'user-agent': options.userAgent },
      signal,
      redirect: 'follow',
    })
    if (!response.ok) {
      await response.body?.cancel().catch(() => {})
      const retryable = response.status >= 500 || response.status === 429 || response.status === 408
      throw new PageError(`HTTP ${response.status}`, retryable, retryAfterMs(response))
    }
    text = await readBody(response, options.maxPageBytes)
  } catch (error) {
    if (error instanceof PageError) throw error
    throw new PageError(describeError(error), true)
  }
  const type = response.headers.get('content-type') ?? ''
  if (!/json/i.test(type) && !text.trimStart().startsWith('{')) {
    throw new PageError(`not JSON (${type.split(';')[0] || 'no content type'})`, true)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new PageError('malformed JSON', true)
  }
  const page = SearchPage.safeParse(json)
  if (!page.success) {
    const issue = page.error.issues[0]
    throw new PageError(
      `malformed page: ${issue?.path.join('.') || 'body'} ${issue?.message ?? ''}`.trim(),
      true,
    )
  }
  return page.data
}

/** One page with its retries; the last error if every try failed. */
async function fetchPageWithRetries(
  options: Required<Omit<PortalClientOptions, 'fetch'>> & { fetch: typeof fetch },
  pageNumber: number,
): Promise<SearchPage> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fetchPage(options, pageNumber)
    } catch (error) {
      const pageError = error instanceof PageError ? error : new PageError(describeError(error), false)
      if (!pageError.retryable || attempt >= options.maxAttempts) {
        throw new PageError(
          attempt > 1 ? `${pageError.message} (after ${attempt} tries)` : pageError.message,
          false,
        )
      }
      const backoff = options.retryBaseMs * 2 ** (attempt - 1)
      const wait = Math.max(pageError.retryAfterMs ?? 0, backoff + Math.random() * (options.retryBaseMs / 2))
      options.logger.warn('portal page failed; retrying', {
        pageNumber,
        attempt,
        error: pageError.message,
        waitMs: Math.round(wait),
      })
      await sleep(wait)
    }
  }
}

export async function readPortal(options: PortalClientOptions): Promise<PortalRead> {
  const settings = {
    ...PORTAL_DEFAULTS,
    ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
    fetch: options.fetch ?? globalThis.fetch,
  } as Required<Omit<PortalClientOptions, 'fetch'>> & { fetch: typeof fetch }
  settings.pageSize = Math.min(Math.max(1, settings.pageSize), MAX_PAGE_SIZE)

  const results: PortalRead['results'] = []
  const failures: SyncFailure[] = []
  const references = new Set<string>()
  let unreferenced = 0
  let totalResults: number | undefined
  let lastPage: number | undefined
  let pagesRead = 0
  let failedInARow = 0
  for (let pageNumber = 1; lastPage === undefined || pageNumber <= lastPage; pageNumber += 1) {
    if (pageNumber > 1) await sleep(settings.pageDelayMs)
    try {
      const page = await fetchPageWithRetries(settings, pageNumber)
      pagesRead += 1
      failedInARow = 0
      totalResults = Math.max(totalResults ?? 0, page.totalResults)
      lastPage = Math.ceil(page.totalResults / settings.pageSize)
      for (const result of page.results) {
        results.push({ page: pageNumber, result })
        const reference = (result as { reference?: unknown } | null)?.reference
        if (typeof reference === 'string') references.add(reference)
        else unreferenced += 1
      }
      if (lastPage > settings.maxPages) {
        failures.push({
          identifier: 'read',
          reason: `${page.totalResults} results need ${lastPage} pages of ${settings.pageSize}, more than the ${settings.maxPages} allowed`,
        })
        lastPage = settings.maxPages
      }
      if (page.results.length === 0) break
    } catch (error) {
      failures.push({ identifier: `page ${pageNumber}`, reason: (error as Error).message })
      failedInARow += 1
      if (lastPage === undefined || failedInARow >= 2) {
        if (lastPage !== undefined && pageNumber < lastPage) {
          failures.push({
            identifier: 'read',
            reason: `stopped after page ${pageNumber} of ${lastPage}: two pages in a row failed`,
          })
        }
        break
      }
    }
  }
  const distinct = references.size + unreferenced
  if (failures.length === 0 && totalResults !== undefined && distinct < totalResults) {
    failures.push({
      identifier: 'read',
      reason: `${distinct} distinct results for ${totalResults} announced: the result set changed during the read (try again)`,
    })
  }
  return { results, complete: failures.length === 0, pagesRead, totalResults, failures }
}
