import { createRouter } from '../../lib/create-router'
import * as handlers from './instruments.handlers'
import * as routes from './instruments.routes'

export const instrumentsRouter = createRouter()
  .openapi(routes.listInstruments, handlers.list)
  .openapi(routes.getInstrument, handlers.get)
  .openapi(routes.createInstrument, handlers.create)
  .openapi(routes.replaceInstrument, handlers.replace)
  .openapi(routes.deleteInstrument, handlers.remove)
