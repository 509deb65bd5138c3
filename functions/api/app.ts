import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context as LambdaContext } from 'aws-lambda'
import { bodyLimit } from 'hono/body-limit'
import { webRouter } from '../web'
import { apiReferenceRouter } from './docs/api-reference'
import { catalogueFreshness } from './lib/catalogue-freshness'
import { createRouter } from './lib/create-router'
import { onlySurface, requestIdentity } from './lib/middleware'
import { onError, problemResponse } from './lib/on-error'
import { problems } from './lib/problem'
import { responseSize } from './lib/response-size'
import { apiCors, securityHeaders } from './lib/security'
import type { AppDeps, AppEnv } from './lib/types'
import { adminRouter } from './routes/admin'
import { archiveRouter } from './routes/archive'
import { exportsRouter } from './routes/exports'
import { featuresRouter } from './routes/features'
import { feedsRouter } from './routes/feeds'
import { healthRouter } from './routes/health'
import { importsRouter } from './routes/imports'
import { IMPORTS_PATH } from './routes/imports/imports.routes'
import { instrumentsRouter } from './routes/instruments'
import { matchRouter } from './routes/match'
import { projectsRouter } from './routes/projects'
import { reviewRouter } from './routes/review'
import { oneClickUnsubscribeRouter, subscriptionsRouter } from './routes/subscriptions'
import { taxonomyRouter } from './routes/taxonomy'

export const API_VERSION = '1.0.0'

/** Routers in the order they are mounted; each owns its routes' contracts. */
const routers = [
  healthRouter,
  taxonomyRouter,
  instrumentsRouter,
  matchRouter,
  featuresRouter,
  adminRouter,
  archiveRouter,
  reviewRouter,
  projectsRouter,
  importsRouter,
  exportsRouter,
  feedsRouter,
  subscriptionsRouter,
]

/** The whole HTTP application: API, docs and error handling. Built from injected dependencies. */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
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

  for (const router of routers) app.route('/', router)
  // RFC 8058 one-click unsubscribe, on the unsubscribe page's own path (mounted before the pages).
  app.route('/', oneClickUnsubscribeRouter)
  // Server-rendered web pages: plain Hono routes, deliberately not in the OpenAPI document.
  app.route('/', webRouter)

  app.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A Cognito ID or access token (locally: `npm run --silent token -- --role admin`).',
  })
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'fundfinder API',
      version: API_VERSION,
      description:
        'Find the public funding that fits your project. Instruments are described by the SecurIT feature taxonomy (54 features); search by features, origin, country and more.',
      license: { name: 'MIT' },
    },
    servers: [{ url: '/' }],
  })
  app.route('/', apiReferenceRouter)

  app.notFound((c) => problemResponse(c, problems.notFound(`No route for ${c.req.method} ${c.req.path}.`)))
  app.onError(onError)
  return app
}
