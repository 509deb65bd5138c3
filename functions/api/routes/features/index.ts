import { createRouter } from '../../lib/create-router'
import * as handlers from './features.handlers'
import * as routes from './features.routes'

export const featuresRouter = createRouter().openapi(routes.suggestFeatures, handlers.suggest)
