import type { Context as LambdaContext } from 'aws-lambda'
import { handle, type LambdaEvent } from 'hono/aws-lambda'
import { loadConfig } from '../../shared/platform/config'
import { createTracer, traceClient, tracedHandler } from '../../shared/platform/tracing'
import { functionDeps } from '../lib/function-deps'
import { createApp } from './app'

/**
 * One entry for both API functions: `API_SURFACE` (public or write) says which routes this one
 * answers (./lib/surfaces.ts); the logs and traces carry the surface in their service name.
 */
const config = loadConfig()
const service = `fundfinder-api-${config.apiSurface}`
const tracer = createTracer(service)
const app = createApp(functionDeps(config, service, { wrapClient: (client) => traceClient(tracer, client) }))

const handleRequest = handle(app)

export const handler = tracedHandler(
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
