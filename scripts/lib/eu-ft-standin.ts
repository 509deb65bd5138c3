import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/**
 * A stand-in for the EU Funding & Tenders Portal's search API on localhost, for tests and for
 * trying the sync without internet (`EU_FT_SEARCH_URL=<url> npm run sync -- --source eu-ft`).
 * It speaks the protocol the sync relies on (shared/catalogue/sources/eu-ft/protocol.ts):
 * - POST with a multipart body whose `query`, `languages` and `sort` parts are JSON parts of type
 *   `application/json`; a `query` sent as a plain field is answered 500, as the real gateway does;
 *   `apiKey=SEDIA`, `pageSize` and `pageNumber` (from 1) in the query string;
 * - the query's `terms`/`term` clauses on metadata fields (`type`, `status`, `frameworkProgramme`,
 *   ...) filter the results, `sort` orders them by a metadata field;
 * - the answer is `{ totalResults, pageNumber, pageSize, results }` with the recorded results as
 *   they are.
 * Faults can be injected per page (500s, time-outs, HTML, broken JSON, a malformed page, a reset
 * connection) and results added to a page (a duplicate across pages), and every request is kept
 * for the tests to inspect.
 */

export type StandinFaultKind =
  | { status: number }
  | { kind: 'timeout' }
  | { kind: 'html' }
  | { kind: 'malformed-json' }
  | { kind: 'malformed-page' }
  | { kind: 'reset' }

export interface StandinFault {
  /** The page it hits; every page when absent. */
  page?: number
  /** How many requests it hits (default 1; `Infinity`: every one). */
  times?: number
  fault: StandinFaultKind
}

export interface RecordedPart {
  name: string
  filename?: string | undefined
  contentType?: string | undefined
  body: string
}

export interface RecordedRequest {
  at: number
  method: string
  url: URL
  headers: IncomingMessage['headers']
  parts: RecordedPart[]
  pageNumber: number
  /** The status the stand-in answered (0 when it never answered). */
  status: number
}

export interface EuFtStandin {
  /** The search endpoint, for `EU_FT_SEARCH_URL`. */
  url: string
  requests: RecordedRequest[]
  setResults(results: readonly unknown[]): void
  addFault(fault: StandinFault): void
  /** Results appended to one page's answer, after paging (a result repeated on a later page). */
  addToPage(page: number, results: readonly unknown[]): void
  stop(): Promise<void>
}

const SEARCH_PATH = '/search-api/prod/rest/search'

function parseMultipart(body: Buffer, contentType: string | undefined): RecordedPart[] | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '')
  if (!contentType?.toLowerCase().startsWith('multipart/form-data') || !boundary) return undefined
  const delimiter = `--${boundary[1] ?? boundary[2]}`
  const text = body.toString('latin1')
  const parts: RecordedPart[] = []
  for (const chunk of text.split(delimiter).slice(1)) {
    if (chunk.startsWith('--')) break
    const headerEnd = chunk.indexOf('\r\n\r\n')
    if (headerEnd < 0) continue
    const headers = chunk.slice(2, headerEnd)
    const content = chunk.slice(headerEnd + 4).replace(/\r\n$/, '')
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? ''
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1]
    if (name === undefined) continue
    parts.push({
      name,
      filename: /\bfilename="([^"]*)"/i.exec(disposition)?.[1],
      contentType: /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim(),
      body: Buffer.from(content, 'latin1').toString('utf8'),
    })
  }
  return parts
}

function metadataValues(result: unknown, field: string): string[] {
  const metadata = (result as { metadata?: Record<string, unknown> })?.metadata ?? {}
  const value = metadata[field]
  const values = (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String)
  if (values.length === 0 && field === 'type') {
    // Recordings without `type` (normalised by another project) are read as the portal would list them.
    const reference = String((result as { reference?: unknown })?.reference ?? '')
    return [/COMPETITIVE_CALL/i.test(reference) ? '8' : /PROSPECT/i.test(reference) ? '2' : '1']
  }
  return values
}

/** The `terms` and `term` clauses of `{ bool: { must: [...] } }`; anything else is refused (400), like `prefix`. */
function filterOf(query: unknown, ignored: ReadonlySet<string>): ((result: unknown) => boolean) | undefined {
  const must = (query as { bool?: { must?: unknown } })?.bool?.must
  if (!Array.isArray(must)) return undefined
  const clauses: { field: string; values: Set<string> }[] = []
  for (const clause of must) {
    const terms = (clause as { terms?: Record<string, unknown> }).terms
    const term = (clause as { term?: Record<string, unknown> }).term
    const entries = Object.entries(terms ?? term ?? {})
    if (entries.length !== 1) return undefined
    const [field, value] = entries[0] as [string, unknown]
    if (ignored.has(field)) continue
    clauses.push({ field, values: new Set((Array.isArray(value) ? value : [value]).map(String)) })
  }
  return (result) =>
    clauses.every(({ field, values }) => metadataValues(result, field).some((value) => values.has(value)))
}

export async function startEuFtStandin(
  options: {
    results?: readonly unknown[]
    faults?: readonly StandinFault[]
    /**
     * Metadata fields whose `terms` the stand-in ignores, as the real API silently ignores what it
     * does not support (`range`): results it should not list come through (a status never seen).
     */
    ignoreTerms?: readonly string[]
    /** Called before a page is answered: a test changes the results between two pages here. */
    beforePage?: (pageNumber: number, standin: EuFtStandin) => void
  } = {},
): Promise<EuFtStandin> {
  let results = [...(options.results ?? [])]
  const faults = (options.faults ?? []).map((fault) => ({ ...fault, left: fault.times ?? 1 }))
  const extra = new Map<number, unknown[]>()
  const requests: RecordedRequest[] = []
  const sockets = new Set<Socket>()

  const answer = (
    response: ServerResponse,
    record: RecordedRequest,
    status: number,
    type: string,
    body: string,
  ) => {
    record.status = status
    response.writeHead(status, { 'content-type': type })
    response.end(body)
  }

  const handle = (request: IncomingMessage, response: ServerResponse, body: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://standin')
    const pageNumber = Number(url.searchParams.get('pageNumber') ?? '1')
    const pageSize = Number(url.searchParams.get('pageSize') ?? '50')
    const parts = parseMultipart(body, request.headers['content-type']) ?? []
    const record: RecordedRequest = {
      at: Date.now(),
      method: request.method ?? '',
      url,
      headers: request.headers,
      parts,
      pageNumber,
      status: 0,
    }
    requests.push(record)
    const json = (status: number, value: unknown) =>
      answer(response, record, status, 'application/json', JSON.stringify(value))

    if (request.method !== 'POST' || url.pathname !== SEARCH_PATH) return json(404, { error: 'not found' })
    if (url.searchParams.get('apiKey') !== 'SEDIA') return json(401, { error: 'unknown apiKey' })
    if (!Number.isInteger(pageNumber) || pageNumber < 1 || !Number.isInteger(pageSize) || pageSize < 1) {
      return json(400, { error: 'pageNumber and pageSize must be positive integers' })
    }

    const fault = faults.find(
      (entry) => entry.left > 0 && (entry.page === undefined || entry.page === pageNumber),
    )
    if (fault) {
      fault.left -= 1
      const kind = fault.fault
      if ('status' in kind) return json(kind.status, { error: `injected ${kind.status}` })
      switch (kind.kind) {
        case 'timeout':
          return // never answers; the socket is closed when the stand-in stops
        case 'reset':
          request.socket.destroy()
          return
        case 'html':
          return answer(
            response,
            record,
            200,
            'text/html; charset=utf-8',
            '<!DOCTYPE html><html><body><h1>Service temporarily unavailable</h1></body></html>',
          )
        case 'malformed-json':
          return answer(
            response,
            record,
            200,
            'application/json',
            '{"totalResults": 3, "results": [{"reference": "x"',
          )
        case 'malformed-page':
          return json(200, { totalResults: 'many', results: { not: 'an array' } })
      }
    }

    const queryPart = parts.find((part) => part.name === 'query')
    // What the portal's gateway does with a query that is not an application/json part.
    if (!queryPart?.contentType?.toLowerCase().startsWith('application/json')) {
      return json(500, { error: 'query must be an application/json part' })
    }
    let filter: ((result: unknown) => boolean) | undefined
    let sort: { field?: unknown; order?: unknown } | undefined
    try {
      filter = filterOf(JSON.parse(queryPart.body), new Set(options.ignoreTerms ?? []))
      const sortPart = parts.find((part) => part.name === 'sort')
      sort = sortPart ? JSON.parse(sortPart.body) : undefined
    } catch {
      return json(400, { error: 'parts must be JSON' })
    }
    if (!filter) return json(400, { error: 'unsupported query' })
    options.beforePage?.(pageNumber, standin)
    const matching = results.filter(filter)
    if (typeof sort?.field === 'string') {
      const field = sort.field
      const direction = sort.order === 'DESC' ? -1 : 1
      const key = (result: unknown) => metadataValues(result, field)[0] ?? ''
      matching.sort((a, b) => (key(a) < key(b) ? -direction : key(a) > key(b) ? direction : 0))
    }
    const page = matching.slice((pageNumber - 1) * pageSize, pageNumber * pageSize)
    json(200, {
      apiVersion: 'standin',
      totalResults: matching.length,
      pageNumber,
      pageSize,
      results: [...page, ...(extra.get(pageNumber) ?? [])],
    })
  }

  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => handle(request, response, Buffer.concat(chunks)))
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const standin: EuFtStandin = {
    url: `http://127.0.0.1:${port}${SEARCH_PATH}`,
    requests,
    setResults: (next) => {
      results = [...next]
    },
    addFault: (fault) => {
      faults.push({ ...fault, left: fault.times ?? 1 })
    },
    addToPage: (page, added) => {
      extra.set(page, [...(extra.get(page) ?? []), ...added])
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return standin
}
