import { createRoute, z } from '@hono/zod-openapi'

export const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['Meta'],
  summary: 'Liveness check',
  responses: {
    200: {
      description: 'The API is up',
      content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } },
    },
  },
})
