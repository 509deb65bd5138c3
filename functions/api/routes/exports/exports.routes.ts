import { createRoute, z } from '@hono/zod-openapi'
import { EXPORT_COLUMNS } from '../../../../shared/catalogue/csv/layout'
import { SearchQuery } from '../../../../shared/catalogue/search/search-query'
import { ProblemSchema, problemResponses } from '../../lib/openapi'

/** The most instruments one export returns; beyond it the export says so in `X-Export-Truncated`. */
export const MAX_EXPORT_ROWS = 10_000

export const exportInstrumentsCsv = createRoute({
  method: 'get',
  path: '/v1/exports/instruments.csv',
  tags: ['Catalogue'],
  summary: 'Export a search as CSV',
  description: `Every instrument matching the search parameters of \`GET /v1/instruments\` (all pages, up to ${MAX_EXPORT_ROWS}; \`page\` and \`limit\` are accepted and ignored), in the import layout, so an export re-imports without loss: ${EXPORT_COLUMNS.length} columns (the input fields, one per feature code with \`Y\`, and the read-only id, status, version). UTF-8 with BOM, CRLF line ends. Cells a spreadsheet would run as formulas (starting with = + - @) are prefixed with an apostrophe; the import removes it. Sent gzip-compressed when the client accepts it (\`Accept-Encoding: gzip\`): 10,000 rows are about 7.5 MB, more than the 6 MiB a response can carry uncompressed, and well under 1 MB compressed. An export that does not fit is refused with a problem saying what to do (406: ask for gzip; 422: narrow the search), never cut off.`,
  request: { query: SearchQuery },
  responses: {
    200: {
      description: 'The CSV file',
      headers: {
        'X-Total-Count': {
          description: 'How many instruments match (may exceed the rows when truncated)',
          schema: { type: 'integer' },
        },
        'X-Export-Truncated': {
          description: `\`true\` when more than ${MAX_EXPORT_ROWS} instruments match and only the first ${MAX_EXPORT_ROWS} were exported`,
          schema: { type: 'string' },
        },
      },
      content: { 'text/csv': { schema: z.string() } },
    },
    ...problemResponses(400, 406),
    422: {
      description: 'Too large to send even compressed: narrow the search',
      content: { 'application/problem+json': { schema: ProblemSchema } },
    },
  },
})
