import { createRouter } from '../../lib/create-router'
import * as handlers from './projects.handlers'
import * as routes from './projects.routes'

// The static paths come before `/v1/projects/{id}`, so `matrix` and `imports` are never taken for ids.
export const projectsRouter = createRouter()
  .openapi(routes.projectMatrix, handlers.matrix)
  .openapi(routes.projectMatrixCsv, handlers.matrixCsv)
  .openapi(routes.importProjects, handlers.importCsv)
  .openapi(routes.listProjects, handlers.list)
  .openapi(routes.createProject, handlers.create)
  .openapi(routes.getProject, handlers.get)
  .openapi(routes.replaceProject, handlers.replace)
  .openapi(routes.deleteProject, handlers.remove)
  .openapi(routes.projectMatches, handlers.matches)
