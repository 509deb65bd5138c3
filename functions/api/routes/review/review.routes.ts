import { createRoute, z } from '@hono/zod-openapi'
import { FeatureSuggestionSchema } from '../../../../shared/catalogue/features/suggestion-schemas'
import { Instrument, REVIEW_REASONS } from '../../../../shared/catalogue/instrument'
import { requireRole } from '../../lib/middleware'
import { bearerSecurity, problemResponses } from '../../lib/openapi'
import { PageQuery } from '../admin/audit.routes'

export const ReviewItemSchema = z
  .object({
    instrument: Instrument,
    reason: z.enum(REVIEW_REASONS).meta({
      description:
        '`held`: not public until an editor sets its features; `suggested`: public, but its features were suggested automatically and no editor has confirmed them',
    }),
    suggestions: z.array(FeatureSuggestionSchema).meta({
      description:
        'Every feature the name and description give evidence for, best first, with the words that triggered it (`POST /v1/features/suggest` on that text)',
    }),
  })
  .meta({ id: 'ReviewItem' })

export const listReview = createRoute({
  method: 'get',
  path: '/v1/admin/review',
  tags: ['Administration'],
  summary: 'Instruments waiting for an editor, oldest first',
  description:
    'Held instruments and those whose features are still suggested, oldest first (`createdAt`); page with `cursor`. An editor limited to countries (`custom:countries`) sees only national and regional instruments of those countries. A `PUT` of the instrument with its features takes it out of the queue (and publishes a held one).',
  security: bearerSecurity,
  middleware: [requireRole('editor')] as const,
  request: { query: PageQuery },
  responses: {
    200: {
      description: 'A page of the review queue',
      content: {
        'application/json': {
          schema: z.object({ items: z.array(ReviewItemSchema), nextCursor: z.string().optional() }),
        },
      },
    },
    ...problemResponses(400, 401, 403),
  },
})
