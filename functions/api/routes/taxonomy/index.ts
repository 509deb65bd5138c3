import { TAXONOMY } from '../../../../shared/catalogue/taxonomy'
import { createRouter } from '../../lib/create-router'
import { getTaxonomy } from './taxonomy.routes'

const body = {
  categories: TAXONOMY.map((category) => ({
    id: category.id,
    label: category.label,
    features: category.features.map((feature) => ({ code: feature.code, label: feature.label })),
  })),
}

export const taxonomyRouter = createRouter().openapi(getTaxonomy, (c) => {
  c.header('Cache-Control', 'public, max-age=3600')
  return c.json(body, 200)
})
