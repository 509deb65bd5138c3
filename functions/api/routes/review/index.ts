import { createRouter } from '../../lib/create-router'
import * as handlers from './review.handlers'
import * as routes from './review.routes'

export const reviewRouter = createRouter().openapi(routes.listReview, handlers.list)
