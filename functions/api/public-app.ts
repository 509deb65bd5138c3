import type { OpenAPIHono } from '@hono/zod-openapi'
import { publicWebRouter } from '../web/public'
import { composeApp } from './compose'
import type { AppDeps, AppEnv } from './lib/types'
import { PUBLIC_ROUTERS } from './public-routers'

/**
 * What the public function runs: the app of ./app.ts with only the routes and pages of the public
 * surface, so that its cold start (every first search) loads neither the write surface's routes
 * and contracts nor the admin's pages. It answers every other request as the whole app does with
 * `API_SURFACE=public`: a 404 problem. /openapi.json still documents the whole API; the document
 * loads with the first request for it.
 */
export function createPublicApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  return composeApp(deps, {
    routers: PUBLIC_ROUTERS,
    pages: publicWebRouter,
    openApiDocument: async () => (await import('./openapi-document')).openApiDocument(),
  })
}
