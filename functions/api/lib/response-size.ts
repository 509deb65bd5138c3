import type { MiddlewareHandler } from 'hono'
import { defaultIsContentTypeBinary } from 'hono/aws-lambda'
import type { Logger } from '../../../shared/platform/logger'
import { problemResponse } from './on-error'
import { problems } from './problem'
import type { AppEnv } from './types'

/**
 * Lambda answers a synchronous invocation with at most 6 MiB (`LAMBDA_RESPONSE_LIMIT_BYTES`): the
 * JSON object the handler returns (status, headers, body). hono/aws-lambda puts a text body in it as
 * a JSON string (quotes, backslashes and line ends escaped) and any other body base64-encoded (4/3
 * of its size), so a 5 MB calendar or gzip body is already too large. Past the limit Lambda fails
 * the invocation and the client gets a bare 502: this module sees to it that it never gets there.
 */

/** Below this a body is sent as it is: gzip would save too little to pay for itself. */
const MIN_COMPRESSIBLE_BYTES = 1024
const COMPRESSIBLE_TYPE =
  /^(?:text\/[\w.+-]+|application\/(?:json|xml|javascript|[\w.+-]+\+(?:json|xml)))\s*(?:;|$)/i
/** Headers of a response that describe its body: a problem that replaces the body drops them. */
const DESCRIBES_BODY =
  /^(?:content-(?:type|length|disposition|encoding|language|location|range)|etag|last-modified|cache-control|vary|x-total-count|x-export-truncated)$/i
/** The keys and punctuation of the result object around the body and headers, with room to spare. */
const RESULT_ENVELOPE_BYTES = 256

/** zlib loads with the first response worth compressing, not on the cold start. */
async function gzipBody(body: Uint8Array): Promise<Uint8Array> {
  const { gzip } = await import('node:zlib')
  return new Promise((resolve, reject) =>
    gzip(body, (error, result) => (error ? reject(error) : resolve(new Uint8Array(result)))),
  )
}

/** Whether an `Accept-Encoding` header admits gzip (RFC 9110 12.5.3: `gzip`, `x-gzip` or `*`, q > 0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false
  const weights = new Map<string, number>()
  for (const part of header.split(',')) {
    const [coding = '', ...parameters] = part.trim().toLowerCase().split(';')
    const q = parameters.map((parameter) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(parameter)?.[1]).find(Boolean)
    weights.set(coding.trim(), q === undefined ? 1 : Number(q))
  }
  const gzipWeight = weights.get('gzip') ?? weights.get('x-gzip') ?? weights.get('*') ?? 0
  return gzipWeight > 0
}

/**
 * Bytes a body takes in the Lambda result: base64 when hono/aws-lambda sends it as binary (any
 * content encoding, or a media type it does not know as text), else the JSON string it becomes.
 */
export function lambdaBodyBytes(body: Uint8Array, headers: Headers): number {
  const contentType = headers.get('content-type')
  const encoding = headers.get('content-encoding')
  const binary =
    (contentType !== null && defaultIsContentTypeBinary(contentType)) ||
    (encoding !== null && !/^identity$/i.test(encoding))
  if (binary) return 4 * Math.ceil(body.length / 3)
  let escaped = body.length + 2
  for (const byte of body) {
    if (byte === 0x22 || byte === 0x5c) escaped += 1
    else if (byte < 0x20)
      escaped += byte === 0x08 || byte === 0x09 || byte === 0x0a || byte === 0x0c || byte === 0x0d ? 1 : 5
  }
  return escaped
}

/** Bytes of the whole Lambda result for a response with this body. */
export function lambdaResultBytes(body: Uint8Array, headers: Headers): number {
  let headerBytes = 0
  headers.forEach((value, name) => {
    headerBytes += Buffer.byteLength(JSON.stringify(name)) + Buffer.byteLength(JSON.stringify(value)) + 2
  })
  return lambdaBodyBytes(body, headers) + headerBytes + RESULT_ENVELOPE_BYTES
}

const formatBytes = (bytes: number) => `${bytes.toLocaleString('en')} bytes`

export interface ResponseSizeOptions {
  /** The most a response may take on the platform (LAMBDA_RESPONSE_LIMIT_BYTES in AWS, and locally too). */
  maxBytes: number
  logger: Logger
}

/**
 * Every response, last thing before it leaves: compressed with gzip when the client accepts it and
 * the body is text of some size (CSV exports, feeds, the matrix CSV, large JSON, the API reference's
 * script), with `Vary: Accept-Encoding` on every response that could have been; and measured as
 * Lambda will carry it. One that would not fit becomes a problem that says what to do instead: 406
 * when the compressed form would fit but the client did not accept gzip, 422 when even that is too
 * large. Responses with an ETag are left as they are: a strong ETag names one representation.
 */
export function responseSize(options: ResponseSizeOptions): MiddlewareHandler<AppEnv> {
  return async function responseSizeMiddleware(c, next) {
    await next()
    const response = c.res
    if (!response.body || c.req.method === 'HEAD' || response.headers.has('content-encoding')) return

    /** The new response replaces the old one whole (assigning `c.res` would merge their headers). */
    const replace = (next: Response) => {
      c.res = undefined
      c.res = next
    }
    const refuse = (bytes: number, gzipBytes: number | undefined, gzipFits: boolean) => {
      const limit = `${formatBytes(options.maxBytes)} a response can carry`
      const narrow =
        'Narrow the request so that less matches (for an export: add search parameters such as country, features, kind or a deadline range) and fetch the parts one by one.'
      const problem =
        gzipBytes !== undefined && gzipFits
          ? problems.responseTooLarge(
              406,
              `The response is ${formatBytes(bytes)}, more than the ${limit}; compressed it is ${formatBytes(gzipBytes)} and fits. Ask for it compressed (Accept-Encoding: gzip; curl --compressed), or: ${narrow}`,
            )
          : problems.responseTooLarge(
              422,
              `The response is ${formatBytes(bytes)}${gzipBytes === undefined ? '' : ` (${formatBytes(gzipBytes)} compressed)`}, more than the ${limit}. ${narrow}`,
            )
      options.logger.warn('response too large', {
        requestId: c.var.requestId,
        method: c.req.method,
        path: c.req.path,
        status: response.status,
        bytes,
        gzipBytes,
        answered: problem.status,
      })
      // The problem keeps the response's other headers (security headers, CORS, request id), not
      // those that described the refused body.
      const answer = problemResponse(c, problem)
      response.headers.forEach((value, name) => {
        if (!DESCRIBES_BODY.test(name) && !answer.headers.has(name)) answer.headers.set(name, value)
      })
      replace(answer)
    }

    const contentType = response.headers.get('content-type') ?? ''
    const body = new Uint8Array(await response.clone().arrayBuffer())
    const compressible =
      COMPRESSIBLE_TYPE.test(contentType) &&
      body.length >= MIN_COMPRESSIBLE_BYTES &&
      !response.headers.has('etag')
    if (!compressible) {
      if (lambdaResultBytes(body, response.headers) > options.maxBytes) refuse(body.length, undefined, false)
      return
    }

    const headers = new Headers(response.headers)
    headers.append('Vary', 'Accept-Encoding')
    headers.delete('content-length')
    const identityFits = lambdaResultBytes(body, headers) <= options.maxBytes
    const wantsGzip = acceptsGzip(c.req.header('accept-encoding'))
    if (!wantsGzip && identityFits) {
      replace(new Response(body, { status: response.status, headers }))
      return
    }
    const gzipped = await gzipBody(body)
    const gzipHeaders = new Headers(headers)
    gzipHeaders.set('Content-Encoding', 'gzip')
    const gzipFits = lambdaResultBytes(gzipped, gzipHeaders) <= options.maxBytes
    if (wantsGzip && gzipFits)
      replace(new Response(gzipped, { status: response.status, headers: gzipHeaders }))
    else refuse(body.length, gzipped.length, gzipFits)
  }
}
