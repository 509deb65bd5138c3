import type { MiddlewareHandler } from 'hono'
import { hasRole, type Role } from '../../../shared/platform/auth'
import { problems } from './problem'
import type { AppEnv } from './types'

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
