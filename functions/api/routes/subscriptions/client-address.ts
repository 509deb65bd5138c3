import type { Context } from 'hono'

/**
 * The network address of the caller: API Gateway's `sourceIp` in Lambda, the socket's peer under
 * `npm start`. Never a header a client can set. Requests without either (tests calling
 * `app.request`) share one bucket.
 */
export function clientAddress(c: Pick<Context, 'env'>): string {
  const env = c.env as
    | {
        requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string } }
        incoming?: { socket?: { remoteAddress?: string } }
      }
    | undefined
  return (
    env?.requestContext?.http?.sourceIp ??
    env?.requestContext?.identity?.sourceIp ??
    env?.incoming?.socket?.remoteAddress ??
    'unknown'
  )
}
