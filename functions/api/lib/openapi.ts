import { z } from '@hono/zod-openapi'

export const ProblemSchema = z
  .object({
    type: z.string().meta({ example: 'https://fundfinder.dev/problems/validation' }),
    title: z.string().meta({ example: 'Invalid request' }),
    status: z.number().int().meta({ example: 400 }),
    detail: z.string().meta({ example: 'Invalid body: features.' }),
    requestId: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'Each failing field, for validation problems' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' })

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: a parameter, header or body field is wrong (see `errors`)',
  401: 'No valid bearer token (see the `WWW-Authenticate` header)',
  403: 'The token is valid but lacks the required role',
  404: 'Not found',
  406: 'The response would exceed the 6 MiB a response can carry, but fits compressed: send `Accept-Encoding: gzip`',
  409: 'Conflicts with the current state (for example a duplicate externalId)',
  410: 'The instrument has closed or was removed from the catalogue',
  412: 'The `If-Match` version is stale: someone else saved first',
  413: 'The request body is too large',
  415: 'The request body must be `application/json`',
  422: 'Well-formed but breaks a business rule (for example a deadline already past)',
  428: 'The `If-Match` header is required',
  429: 'Too many requests: try again after the `Retry-After` header (seconds)',
  503: 'Temporarily unable to complete the request; retry later',
}

/** OpenAPI response entries for the problems a route can return. */
export function problemResponses<S extends number>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: DESCRIPTIONS[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: ProblemSchema } },
      },
    ]),
  ) as Record<
    S,
    { description: string; content: { 'application/problem+json': { schema: typeof ProblemSchema } } }
  >
}

export const bearerSecurity = [{ Bearer: [] }]

export const ETagHeader = {
  ETag: { description: 'The instrument version, `"<version>"`', schema: { type: 'string' as const } },
}
