import { createRoute, z } from '@hono/zod-openapi'

export const TaxonomySchema = z
  .object({
    categories: z.array(
      z.object({
        id: z.string().meta({ example: 'techniques' }),
        label: z.string().meta({ example: 'Techniques' }),
        features: z.array(z.object({ code: z.string().meta({ example: 'T1' }), label: z.string() })),
      }),
    ),
  })
  .meta({ id: 'Taxonomy', description: 'SecurIT D2.5 Annex 1: four categories, 54 features' })

export const getTaxonomy = createRoute({
  method: 'get',
  path: '/v1/taxonomy',
  tags: ['Catalogue'],
  summary: 'The feature taxonomy',
  responses: {
    200: {
      description: 'Categories and their features',
      content: { 'application/json': { schema: TaxonomySchema } },
    },
  },
})
