import type { FieldError } from '../../../shared/platform/field-errors'

export { fieldErrors } from '../../../shared/platform/field-errors'
/**
 * RFC 9457 problems: the one shape of every error response of the API. Domain code never throws
 * these; it throws `DomainError` subclasses (shared/catalogue/errors.ts,
 * shared/portfolio/project-errors.ts, ...), which `toProblem` (./on-error.ts) maps to a Problem at
 * the HTTP edge. Handlers and middleware may throw a Problem for what only HTTP knows (a missing
 * If-Match, an unsupported media type); the web pages render the same problems as pages.
 */
export type { FieldError }

export interface ProblemBody {
  type: string
  title: string
  status: number
  detail: string
  instance?: string
  requestId?: string
  errors?: FieldError[]
}

const TYPE_BASE = 'https://fundfinder.dev/problems/'

export class Problem extends Error {
  readonly headers: Record<string, string>

  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    headers: Record<string, string> = {},
  ) {
    super(detail)
    this.name = 'Problem'
    this.headers = headers
  }

  get type(): string {
    return `${TYPE_BASE}${this.slug}`
  }

  toJSON(): ProblemBody {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(this.errors ? { errors: this.errors } : {}),
    }
  }
}

export const problems = {
  validation: (detail: string, errors: FieldError[]) =>
    new Problem(400, 'validation', 'Invalid request', detail, errors),
  unprocessable: (detail: string, errors: FieldError[]) =>
    new Problem(422, 'unprocessable', 'Unprocessable content', detail, errors),
  malformedJson: (detail = 'The request body is not valid JSON.') =>
    new Problem(400, 'malformed-json', 'Malformed JSON', detail),
  unauthorized: (detail: string) =>
    new Problem(401, 'unauthorized', 'Unauthorized', detail, undefined, {
      'WWW-Authenticate': `Bearer realm="fundfinder", error="invalid_token", error_description="${detail.replace(/"/g, "'")}"`,
    }),
  forbidden: (detail: string) => new Problem(403, 'forbidden', 'Forbidden', detail),
  notFound: (detail: string) => new Problem(404, 'not-found', 'Not found', detail),
  gone: (detail: string) => new Problem(410, 'gone', 'Gone', detail),
  preconditionFailed: (detail: string) =>
    new Problem(412, 'precondition-failed', 'Precondition failed', detail),
  preconditionRequired: (detail: string) =>
    new Problem(428, 'precondition-required', 'Precondition required', detail),
  payloadTooLarge: (detail: string) => new Problem(413, 'payload-too-large', 'Payload too large', detail),
  unsupportedMediaType: (detail: string) =>
    new Problem(415, 'unsupported-media-type', 'Unsupported media type', detail),
  conflict: (detail: string) => new Problem(409, 'conflict', 'Conflict', detail),
  /** 406: it fits compressed, but the client did not accept gzip; 422: too large even compressed. */
  responseTooLarge: (status: 406 | 422, detail: string) =>
    new Problem(status, 'response-too-large', 'Response too large', detail),
  internal: () =>
    new Problem(
      500,
      'internal',
      'Internal server error',
      'An unexpected error occurred. It has been logged.',
    ),
  /** A 503 that tells the client when trying again is worth it. */
  unavailable: (detail: string, retryAfterSeconds: number) =>
    new Problem(503, 'unavailable', 'Service unavailable', detail, undefined, {
      'Retry-After': String(retryAfterSeconds),
    }),
}
