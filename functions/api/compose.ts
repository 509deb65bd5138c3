import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context as LambdaContext } from 'aws-lambda'
import type { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { WebEnv } from '../web/lib/web-env'
import { apiReferenceRouter } from './docs/api-reference'
import { catalogueFreshness } from './lib/catalogue-freshness'
import { createRouter } from './lib/create-router'
import { onlySurface, requestIdentity } from './lib/middleware'
import { onError, problemResponse } from './lib/on-error'
import { problems } from './lib/problem'
import { responseSize } from './lib/response-size'
import { apiCors, securityHeaders } from './lib/security'
import type { AppDeps, AppEnv } from './lib/types'
import { IMPORTS_PATH } from './routes/imports/imports-path'

export interface AppParts {
  /** API routers in the order they are mounted; each owns its routes' contracts. */
  routers: readonly OpenAPIHono<AppEnv>[]
  /** Plain routes mounted after the API's and before the pages (RFC 8058 one-click unsubscribe). */
  beforePages?: readonly Hono<AppEnv>[]
  /** The server-rendered web pages: plain Hono routes, deliberately not in the OpenAPI document. */
  pages: Hono<WebEnv>
  /** The OpenAPI document of the whole API (./openapi-document.ts), whichever routers this app mounts. */
  openApiDocument: () => Promise<object>
}

/**
 * An HTTP application of the API: middleware, the given routers and pages, the OpenAPI document,
 * docs and error handling, built from injected dependencies. ./app.ts composes the whole API,
 * ./public-app.ts the public function's share of it.
 */
export function composeApp(deps: AppDeps, parts: AppParts): OpenAPIHono<AppEnv> {
  const app = createRouter()

  // Outermost: it sees each response whole, headers included, as Lambda will carry it.
  app.use(responseSize({ maxBytes: deps.config.maxResponseBytes, logger: deps.logger }))
  app.use(requestIdentity())
  app.use(async function injectDeps(c, next) {
    c.set('deps', deps)
    await next()
  })
  app.use(securityHeaders())
  app.use(catalogueFreshness())
  app.use('/v1/*', apiCors(deps.config))
  app.use(async function accessLog(c, next) {
    // On Lambda, hono/aws-lambda passes the invocation's context: every log line then carries it.
    const lambdaContext = (c.env as { lambdaContext?: LambdaContext } | undefined)?.lambdaContext
    if (lambdaContext) deps.logger.withLambdaContext(lambdaContext)
    const started = performance.now()
    await next()
    deps.logger.info('request', {
      requestId: c.var.requestId,
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    })
  })
  app.use(onlySurface(deps.config.apiSurface))
  const defaultBodyLimit = bodyLimit({
    maxSize: deps.config.maxBodyBytes,
    onError: (c) =>
      problemResponse(
        c,
        problems.payloadTooLarge(`The body must not exceed ${deps.config.maxBodyBytes} bytes.`),
      ),
  })
  app.use('/v1/*', async function limitBody(c, next) {
    // Imports carry whole spreadsheets and apply their own limit (MAX_IMPORT_BYTES).
    if (c.req.path === IMPORTS_PATH) return next()
    return defaultBodyLimit(c, next)
  })

  for (const router of parts.routers) app.route('/', router)
  for (const router of parts.beforePages ?? []) app.route('/', router)
  app.route('/', parts.pages)

  app.get('/openapi.json', async (c) => c.json(await parts.openApiDocument()))
  app.route('/', apiReferenceRouter)

  app.notFound((c) => problemResponse(c, problems.notFound(`No route for ${c.req.method} ${c.req.path}.`)))
  app.onError(onError)
  return app
}
