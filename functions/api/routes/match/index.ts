import { createRouter } from '../../lib/create-router'
import * as handlers from './match.handlers'
import * as routes from './match.routes'

export const matchRouter = createRouter().openapi(routes.matchInstruments, handlers.match)
