import { SUGGESTION_THRESHOLD, suggestFeatures } from '../../../../shared/catalogue/features/suggest-features'
import type { AppRouteHandler } from '../../lib/types'
import type { suggestFeatures as suggestFeaturesRoute } from './features.routes'

export const suggest: AppRouteHandler<typeof suggestFeaturesRoute> = (c) => {
  const { text, limit } = c.req.valid('json')
  c.header('Cache-Control', 'no-store')
  return c.json({ suggestions: suggestFeatures(text, { limit }), threshold: SUGGESTION_THRESHOLD }, 200)
}
