import { createRouter } from '../../lib/create-router'
import * as handlers from './subscriptions.handlers'
import * as routes from './subscriptions.routes'

export { clientAddress } from './client-address'
export { oneClickUnsubscribeRouter } from './one-click-unsubscribe'

export const subscriptionsRouter = createRouter()
  .openapi(routes.createSubscription, handlers.create)
  .openapi(routes.confirmSubscription, handlers.confirm)
  .openapi(routes.changeFrequency, handlers.changeFrequency)
  .openapi(routes.unsubscribe, handlers.unsubscribe)
  .openapi(routes.watchProject, handlers.watch)
  .openapi(routes.listProjectWatches, handlers.watches)
  .openapi(routes.endProjectWatch, handlers.endWatch)
  .openapi(routes.subscriptionStats, handlers.stats)
  .openapi(routes.liftSuppression, handlers.liftSuppression)
