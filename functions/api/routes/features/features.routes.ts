import { createRoute } from '@hono/zod-openapi'
import {
  SuggestFeaturesRequest,
  SuggestFeaturesResponse,
} from '../../../../shared/catalogue/features/suggestion-schemas'
import { requireJson } from '../../lib/middleware'
import { problemResponses } from '../../lib/openapi'

export const suggestFeatures = createRoute({
  method: 'post',
  path: '/v1/features/suggest',
  tags: ['Catalogue'],
  summary: 'Suggest taxonomy features for a text',
  description:
    'Reads a project or call description and tells which of the 54 features it is about, with the words that show it (`evidence`) and a score in (0, 1]. Deterministic: the same text always gives the same answer. Suggestions marked `confident` reach the documented threshold.',
  middleware: [requireJson()] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: SuggestFeaturesRequest } } },
  },
  responses: {
    200: {
      description: 'The suggested features, best first',
      content: { 'application/json': { schema: SuggestFeaturesResponse } },
    },
    ...problemResponses(400, 413, 415),
  },
})
