import { afterEach, describe, expect, it } from 'vitest'
import { type EuFtStandin, type StandinFault, startEuFtStandin } from '../../scripts/lib/eu-ft-standin'
import { type PortalClientOptions, readPortal } from '../../shared/catalogue/sources/eu-ft/portal-client'
import { silentLogger } from '../../shared/platform/logger'
import { portalResult } from './support'

let standin: EuFtStandin | undefined
afterEach(async () => {
  await standin?.stop()
  standin = undefined
})

async function serve(results: unknown[], faults: StandinFault[] = []) {
  standin = await startEuFtStandin({ results, faults })
  return standin
}

/** Quick retries and pauses: the behaviour, not the production timings, is under test. */
function client(url: string, overrides: Partial<PortalClientOptions> = {}): PortalClientOptions {
  return {
    searchUrl: url,
    programmes: [],
    userAgent: 'fundfinder-sync/1 (open-source funding catalogue; +https://fundfinder.example)',
    pageSize: 10,
    pageDelayMs: 20,
    timeoutMs: 2000,
    retryBaseMs: 5,
    logger: silentLogger,
    ...overrides,
  }
}

const topics = (n: number, metadata: Record<string, string[]> = {}) =>
  Array.from({ length: n }, () => portalResult(metadata))

describe('the portal client against the stand-in', () => {
  it('sends the query as the portal expects: multipart JSON parts, apiKey, paging, a User-Agent', async () => {
    const server = await serve(topics(3))
    const read = await readPortal(client(server.url, { programmes: ['43108390', '43152860'] }))
    expect(read.complete).toBe(true)
    const [request] = server.requests
    expect(request?.method).toBe('POST')
    expect(Object.fromEntries(request?.url.searchParams ?? [])).toEqual({
      apiKey: 'SEDIA',
      text: '***',
      pageSize: '10',
      pageNumber: '1',
    })
    expect(request?.headers['user-agent']).toBe(
      'fundfinder-sync/1 (open-source funding catalogue; +https://fundfinder.example)',
    )
    expect(request?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/)
    const parts = Object.fromEntries((request?.parts ?? []).map((part) => [part.name, part]))
    for (const name of ['query', 'languages', 'sort']) {
      expect(parts[name], name).toMatchObject({ contentType: 'application/json', filename: 'blob' })
    }
    expect(JSON.parse(parts.query?.body ?? '')).toEqual({
      bool: {
        must: [
          { terms: { type: ['1', '2', '8'] } },
          { terms: { status: ['31094501', '31094502'] } },
          { terms: { frameworkProgramme: ['43108390', '43152860'] } },
        ],
      },
    })
    expect(JSON.parse(parts.languages?.body ?? '')).toEqual(['en'])
    expect(JSON.parse(parts.sort?.body ?? '')).toEqual({ field: 'identifier', order: 'ASC' })
  })

  it('reads every page, one at a time with a pause, in the stand-in filter order', async () => {
    const wanted = topics(23)
    const other = topics(4, { frameworkProgramme: ['43252405'] })
    const closed = topics(2, { status: ['31094503'] })
    const server = await serve([...other, ...wanted, ...closed])
    const read = await readPortal(client(server.url, { programmes: ['43108390'] }))
    expect(read).toMatchObject({ complete: true, pagesRead: 3, totalResults: 23, failures: [] })
    expect(read.results.map(({ result }) => (result as any).reference).sort()).toEqual(
      wanted.map((result) => result.reference).sort(),
    )
    expect(server.requests.map((request) => request.pageNumber)).toEqual([1, 2, 3])
    for (let index = 1; index < server.requests.length; index += 1) {
      const gap = (server.requests[index]?.at ?? 0) - (server.requests[index - 1]?.at ?? 0)
      expect(gap).toBeGreaterThanOrEqual(15)
    }
  })

  it('retries a page after 500s and time-outs, then goes on', async () => {
    const server = await serve(topics(15), [
      { page: 2, times: 2, fault: { status: 500 } },
      { page: 2, fault: { kind: 'timeout' } },
    ])
    const read = await readPortal(client(server.url, { timeoutMs: 1000 }))
    expect(read).toMatchObject({ complete: true, pagesRead: 2, failures: [] })
    expect(read.results).toHaveLength(15)
    expect(server.requests.map((request) => request.pageNumber)).toEqual([1, 2, 2, 2, 2])
  })

  it.each([
    ['answers 500 on every try', { status: 500 }, /^HTTP 500 \(after 4 tries\)$/],
    ['times out', { kind: 'timeout' }, /^timed out \(after 4 tries\)$/],
    ['returns HTML instead of JSON', { kind: 'html' }, /^not JSON \(text\/html\) \(after 4 tries\)$/],
    ['returns broken JSON', { kind: 'malformed-json' }, /^malformed JSON/],
    ['returns a malformed page', { kind: 'malformed-page' }, /^malformed page: totalResults/],
    ['drops the connection', { kind: 'reset' }, /after 4 tries/],
  ] as const)('reports a source that %s as an incomplete read', async (_case, fault, reason) => {
    const server = await serve(topics(25), [{ page: 2, times: Number.POSITIVE_INFINITY, fault }])
    const read = await readPortal(client(server.url, { timeoutMs: 1000 }))
    expect(read.complete).toBe(false)
    expect(read.failures[0]).toMatchObject({ identifier: 'page 2' })
    expect(read.failures[0]?.reason).toMatch(reason)
    // The pages around it are still read.
    expect(read.results.map(({ page }) => page)).toEqual([...Array(10).fill(1), ...Array(5).fill(3)])
  })

  it('does not retry a 4xx other than 429: the request itself is wrong', async () => {
    const server = await serve(topics(5), [{ page: 1, fault: { status: 400 } }])
    const read = await readPortal(client(server.url))
    expect(read).toMatchObject({ complete: false, failures: [{ identifier: 'page 1', reason: 'HTTP 400' }] })
    expect(server.requests).toHaveLength(1)
  })

  it('stops when two pages in a row fail: the source is down', async () => {
    const server = await serve(topics(45), [
      { page: 2, times: Number.POSITIVE_INFINITY, fault: { status: 503 } },
      { page: 3, times: Number.POSITIVE_INFINITY, fault: { status: 503 } },
    ])
    const read = await readPortal(client(server.url, { maxAttempts: 2 }))
    expect(read.complete).toBe(false)
    expect(read.failures.map((failure) => failure.identifier)).toEqual(['page 2', 'page 3', 'read'])
    expect(new Set(server.requests.map((request) => request.pageNumber))).toEqual(new Set([1, 2, 3]))
  })

  it('ignores nothing and loses nothing when a result repeats on a later page', async () => {
    const results = topics(20)
    const server = await serve(results)
    server.addToPage(2, [results[0]])
    const read = await readPortal(client(server.url))
    expect(read.complete).toBe(true)
    expect(read.results).toHaveLength(21)
  })

  it('calls a read incomplete when the set changes under the paging and a result falls between pages', async () => {
    const results = topics(20)
    standin = await startEuFtStandin({
      results,
      // A topic closes between page 1 and page 2: every later result moves up one place.
      beforePage: (page, server) => {
        if (page === 2) server.setResults(results.slice(1))
      },
    })
    const read = await readPortal(client(standin.url))
    expect(read.results).toHaveLength(19)
    expect(read.complete).toBe(false)
    expect(read.failures).toEqual([
      {
        identifier: 'read',
        reason: '19 distinct results for 20 announced: the result set changed during the read (try again)',
      },
    ])
  })
})
