import { createRouter } from '../../lib/create-router'
import * as handlers from './feeds.handlers'
import * as routes from './feeds.routes'

export const feedsRouter = createRouter()
  .openapi(routes.instrumentsAtomFeed, handlers.atom)
  .openapi(routes.deadlinesCalendar, handlers.calendar)
