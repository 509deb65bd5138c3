import type { OpenAPIHono } from '@hono/zod-openapi'
import type { Context as LambdaContext } from 'aws-lambda'
import { handle, type LambdaEvent } from 'hono/aws-lambda'
import { loadConfig } from '../../shared/platform/config'
import { createTracer, traceClient, tracedHandler } from '../../shared/platform/tracing'
import { functionDeps } from '../lib/function-deps'
import type { AppDeps, AppEnv } from './lib/types'

/**
 * The Lambda handler of an API function, around the app it runs (./handler.ts, ./public-handler.ts):
 * `API_SURFACE` (public or write) says which routes this one answers (./lib/surfaces.ts); the logs
 * and traces carry the surface in their service name.
 */
export function apiLambdaHandler(createApp: (deps: AppDeps) => OpenAPIHono<AppEnv>) {
  const config = loadConfig()
  const service = `fundfinder-api-${config.apiSurface}`
  const tracer = createTracer(service)
  const app = createApp(
    functionDeps(config, service, { wrapClient: (client) => traceClient(tracer, client) }),
  )
  const handleRequest = handle(app)
  return tracedHandler(
    tracer,
    (event: LambdaEvent, context: LambdaContext) => handleRequest(event, context),
    (event, result) => {
      const requestContext = event.requestContext as { requestId?: string; routeKey?: string } | undefined
      return {
        requestId: requestContext?.requestId,
        routeKey: requestContext?.routeKey,
        status: result?.statusCode,
      }
    },
  )
}
