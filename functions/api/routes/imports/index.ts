import { createRouter } from '../../lib/create-router'
import * as handlers from './imports.handlers'
import * as routes from './imports.routes'

export const importsRouter = createRouter()
  .openapi(routes.importInstruments, handlers.importFile)
  .openapi(routes.getImportJob, handlers.getJob)
