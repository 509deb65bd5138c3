import type { MiddlewareHandler } from 'hono'
import { hasRole, type Role } from '../../../shared/platform/auth'
import type { ApiSurface } from '../../../shared/platform/config'
import { problemResponse } from './on-error'
import { problems } from './problem'
import { serves, surfaceOf } from './surfaces'
import type { AppEnv } from './types'

/** A caller's X-Request-Id is reused locally when it is short and plain (what Hono's requestId allows). */
const PLAIN_REQUEST_ID = /^[\w=-]{1,255}$/

/**
 * The request id of every log line, problem and `X-Request-Id` header. On Lambda it is API
 * Gateway's own request id (`requestContext.requestId`, `$context.requestId` in the access log),
 * whatever the caller sent, so one id joins the access log, the app's logs and the problem the
 * caller reports. Elsewhere: the caller's plain X-Request-Id, or a new UUID.
 */
export function requestIdentity(): MiddlewareHandler<AppEnv> {
  return async function requestIdentityMiddleware(c, next) {
    const gatewayId = (c.env as { requestContext?: { requestId?: unknown } } | undefined)?.requestContext
      ?.requestId
    const callerId = c.req.header('x-request-id')
    const id =
      typeof gatewayId === 'string' && gatewayId.length > 0
        ? gatewayId
        : callerId && PLAIN_REQUEST_ID.test(callerId)
          ? callerId
          : crypto.randomUUID()
    c.set('requestId', id)
    c.header('X-Request-Id', id)
    await next()
  }
}

/**
 * Answers a request of the surface this process does not serve with a 404 problem, before any
 * route runs: the public function never reaches a write handler, however the request was routed.
 * Decided on the decoded path Hono routes on (`/v1/%61dmin/...` is `/v1/admin/...`).
 */
export function onlySurface(served: ApiSurface): MiddlewareHandler<AppEnv> {
  return async function onlySurfaceMiddleware(c, next) {
    if (serves(served, surfaceOf(c.req.method, c.req.path))) return next()
    return problemResponse(c, problems.notFound(`No route for ${c.req.method} ${c.req.path}.`))
  }
}

/**
 * Requires a valid bearer token carrying one of the roles (admins pass every role check).
 * 401 with `WWW-Authenticate: Bearer` without a valid token, 403 without the role.
 */
export function requireRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async function requireRoleMiddleware(c, next) {
    const header = c.req.header('authorization')
    const match = header
      ? /^Bearer ([A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]*)$/i.exec(header.trim())
      : null
    if (!header) throw problems.unauthorized('A bearer token is required.')
    if (!match?.[1]) throw problems.unauthorized('The Authorization header must be "Bearer <JWT>".')
    // A token that fails verification throws AuthenticationError, which `toProblem` makes a 401.
    const principal = await c.var.deps.verifier.verify(match[1])
    if (!hasRole(principal, roles)) {
      throw problems.forbidden(`This action needs the ${roles.join(' or ')} role.`)
    }
    c.set('principal', principal)
    await next()
  }
}

/** Bodies must be declared as JSON: anything else is a 415, before any parsing. */
export function requireJson(): MiddlewareHandler<AppEnv> {
  return async function requireJsonMiddleware(c, next) {
    const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase()
    if (type !== 'application/json' && !type?.endsWith('+json')) {
      throw problems.unsupportedMediaType(
        `Send the body as application/json${type ? `, not ${type}` : ' (the Content-Type header is missing)'}.`,
      )
    }
    await next()
  }
}
