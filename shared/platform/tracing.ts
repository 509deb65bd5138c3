import { Tracer } from '@aws-lambda-powertools/tracer'

/**
 * X-Ray tracing with Powertools Tracer, the same way in every function: the AWS SDK client's calls
 * become subsegments (`traceClient`), and each invocation gets a `## handler` subsegment annotated
 * with the cold start, the service and what the handler reports (the API: API Gateway's request
 * id, route and status, so a trace is found by the id of the access log line and the problem).
 * Outside Lambda (tests, `npm start`, scripts) Powertools turns tracing off and all this is a no-op.
 */
export type Annotations = Record<string, string | number | boolean | undefined>

export function createTracer(serviceName: string): Tracer {
  // The SDK client is captured explicitly; fetch and https (the JWKS download) are left alone.
  return new Tracer({ serviceName, captureHTTPsRequests: false })
}

/** The client, its calls traced when tracing is on. */
export function traceClient<T>(tracer: Tracer, client: T): T {
  return tracer.isTracingEnabled() ? tracer.captureAWSv3Client(client) : client
}

/** Wraps a Lambda handler in a `## handler` subsegment with the annotations it reports. */
export function tracedHandler<Event, Context, Result>(
  tracer: Tracer,
  handler: (event: Event, context: Context) => Promise<Result>,
  annotate: (event: Event, result: Result | undefined) => Annotations = () => ({}),
): (event: Event, context: Context) => Promise<Result> {
  return async function traced(event, context) {
    if (!tracer.isTracingEnabled()) return handler(event, context)
    const parent = tracer.getSegment()
    if (!parent) return handler(event, context)
    const subsegment = parent.addNewSubsegment('## handler')
    tracer.setSegment(subsegment)
    tracer.annotateColdStart()
    tracer.addServiceNameAnnotation()
    let result: Result | undefined
    try {
      result = await handler(event, context)
      return result
    } catch (error) {
      tracer.addErrorAsMetadata(error as Error)
      throw error
    } finally {
      for (const [key, value] of Object.entries(annotate(event, result))) {
        if (value !== undefined) tracer.putAnnotation(key, value)
      }
      subsegment.close()
      tracer.setSegment(parent)
    }
  }
}
