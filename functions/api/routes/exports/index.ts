import { createRouter } from '../../lib/create-router'
import * as handlers from './exports.handlers'
import * as routes from './exports.routes'

export const exportsRouter = createRouter().openapi(routes.exportInstrumentsCsv, handlers.exportCsv)
