import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import type { LambdaEvent } from 'hono/aws-lambda'

/** A real API Gateway HTTP API (payload format 2.0) event, as the `$default` route delivers it. */
export function httpApiEvent(
  method: string,
  rawPath: string,
  options: {
    headers?: Record<string, string>
    rawQueryString?: string
    body?: string
    /** The host the request came in on: a custom domain mapped to the API, or its execute-api host. */
    domainName?: string
  } = {},
): LambdaEvent {
  const domainName = options.domainName ?? 'abc123.execute-api.eu-west-1.amazonaws.com'
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: options.rawQueryString ?? '',
    headers: {
      host: domainName,
      accept: 'application/json',
      'user-agent': 'curl/8',
      ...options.headers,
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'curl/8' },
      requestId: 'Ab1cDeFgHiJkLmN=',
      routeKey: '$default',
      stage: '$default',
      time: '22/Nov/2026:10:00:00 +0000',
      timeEpoch: 1_795_346_400_000,
    },
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: false,
  }
  // Hono types a missing body as null where AWS's types say undefined; the runtime value is the same.
  return event as unknown as LambdaEvent
}
