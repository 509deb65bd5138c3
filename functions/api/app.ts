import type { OpenAPIHono } from '@hono/zod-openapi'
import { webRouter } from '../web'
import { composeApp } from './compose'
import type { AppDeps, AppEnv } from './lib/types'
import { openApiDocument } from './openapi-document'
import { API_ROUTERS } from './routers'
import { oneClickUnsubscribeRouter } from './routes/subscriptions'

/**
 * The whole HTTP application: every API route, every page, docs and error handling. The write
 * function runs it (with `API_SURFACE=write` it refuses the public routes), and so do the local
 * server and the tests; the public function runs ./public-app.ts.
 */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  return composeApp(deps, {
    routers: API_ROUTERS,
    // RFC 8058 one-click unsubscribe, on the unsubscribe page's own path (mounted before the pages).
    beforePages: [oneClickUnsubscribeRouter],
    pages: webRouter,
    openApiDocument: async () => openApiDocument(),
  })
}
