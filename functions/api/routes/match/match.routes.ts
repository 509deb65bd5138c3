import { createRoute } from '@hono/zod-openapi'
import { MatchRequest, MatchResponse } from '../../../../shared/catalogue/search/search-query'
import { requireJson } from '../../lib/middleware'
import { problemResponses } from '../../lib/openapi'

export const matchInstruments = createRoute({
  method: 'post',
  path: '/v1/match',
  tags: ['Catalogue'],
  summary: "Rank instruments for a project's features",
  description:
    'Send the features of your project; get the live instruments that have at least one of them, with `score = matched / requested`, the `matched` and `missing` codes, ordered by score, then soonest deadline, then name.',
  middleware: [requireJson()] as const,
  request: { body: { required: true, content: { 'application/json': { schema: MatchRequest } } } },
  responses: {
    200: {
      description: 'The ranked instruments',
      content: { 'application/json': { schema: MatchResponse } },
    },
    ...problemResponses(400, 413, 415),
  },
})
