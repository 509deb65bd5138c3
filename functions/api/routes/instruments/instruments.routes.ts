import { createRoute, z } from '@hono/zod-openapi'
import { Instrument, InstrumentInput } from '../../../../shared/catalogue/instrument'
import { SearchQuery, SearchResponse } from '../../../../shared/catalogue/search/search-query'
import { requireJson, requireRole } from '../../lib/middleware'
import { bearerSecurity, ETagHeader, problemResponses } from '../../lib/openapi'

export const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .meta({ param: { name: 'id', in: 'path' }, example: '01jd3x9q4v6n7p8r9s0t1u2v3w' }),
})

const IfMatchHeaders = z.object({
  'if-match': z
    .string()
    .optional()
    .meta({ description: 'The ETag (`"<version>"`) of the version you edited; required', example: '"3"' }),
})

const instrumentResponse = (description: string) => ({
  description,
  headers: ETagHeader,
  content: { 'application/json': { schema: Instrument } },
})

const jsonBody = {
  required: true,
  content: { 'application/json': { schema: InstrumentInput } },
}

export const getInstrument = createRoute({
  method: 'get',
  path: '/v1/instruments/{id}',
  tags: ['Catalogue'],
  summary: 'One instrument',
  description:
    'Returns the instrument with its `ETag`. Closed (expired) or archived instruments are 410. An instrument held for review (not published yet) is 404, like an unknown id.',
  request: { params: IdParams },
  responses: {
    200: instrumentResponse('The instrument'),
    304: { description: 'Not modified (the `If-None-Match` ETag is current)' },
    ...problemResponses(400, 404, 410),
  },
})

export const createInstrument = createRoute({
  method: 'post',
  path: '/v1/instruments',
  tags: ['Editing'],
  summary: 'Add an instrument',
  description:
    'An editor whose token carries `custom:countries` may add only national or regional instruments of those countries (403 otherwise).',
  security: bearerSecurity,
  middleware: [requireRole('editor'), requireJson()] as const,
  request: { body: jsonBody },
  responses: {
    201: {
      ...instrumentResponse('Created'),
      headers: {
        ...ETagHeader,
        Location: { description: 'URL of the new instrument', schema: { type: 'string' } },
      },
    },
    ...problemResponses(400, 401, 403, 409, 413, 415, 422, 503),
  },
})

export const replaceInstrument = createRoute({
  method: 'put',
  path: '/v1/instruments/{id}',
  tags: ['Editing'],
  summary: 'Replace an instrument',
  description:
    'Send the whole instrument with `If-Match: "<version>"`; a stale version is a 412. The features sent are the editor\'s: suggested features become `featureOrigin: "editor"`, and a held instrument is published. On a synced instrument every field that changed is marked `editor` in `provenance`, so the sync leaves it alone; `source` and earlier marks are kept. An editor limited to countries (`custom:countries`) may change only national or regional instruments of those countries, before and after the change (403 otherwise).',
  security: bearerSecurity,
  middleware: [requireRole('editor'), requireJson()] as const,
  request: { params: IdParams, headers: IfMatchHeaders, body: jsonBody },
  responses: {
    200: instrumentResponse('Updated'),
    ...problemResponses(400, 401, 403, 404, 409, 410, 412, 413, 415, 422, 428, 503),
  },
})

export const deleteInstrument = createRoute({
  method: 'delete',
  path: '/v1/instruments/{id}',
  tags: ['Editing'],
  summary: 'Remove an instrument (moves it to the archive)',
  security: bearerSecurity,
  middleware: [requireRole('admin')] as const,
  request: { params: IdParams, headers: IfMatchHeaders },
  responses: {
    204: { description: 'Removed from the catalogue and archived with reason `deleted`' },
    ...problemResponses(400, 401, 403, 404, 410, 412, 428, 503),
  },
})

export const listInstruments = createRoute({
  method: 'get',
  path: '/v1/instruments',
  tags: ['Catalogue'],
  summary: 'Search the catalogue',
  description:
    'Filters by features (`any`/`all`), origin, country, kind, deadline window, closing soon, budget and free text; sorts; pages; counts facets over the whole result. Expired instruments never appear. Lists are comma-separated; `features` may also be repeated. Unknown, repeated or empty parameters are a 400 naming the parameter.',
  request: { query: SearchQuery },
  responses: {
    200: {
      description: 'One page of results, the total and facet counts over all results',
      content: { 'application/json': { schema: SearchResponse } },
    },
    ...problemResponses(400),
  },
})
