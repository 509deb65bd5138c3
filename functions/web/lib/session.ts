import { createHash, timingSafeEqual } from 'node:crypto'
import type { Context, MiddlewareHandler } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { editorOf } from '../../../shared/catalogue/editing'
import { hasRole, type Principal, type Role } from '../../../shared/platform/auth'
import { toProblem } from '../../api/lib/on-error'
import { Problem } from '../../api/lib/problem'
import type { SignedInUser } from '../components/layout'
import { readForm, text } from './form-data'
import type { WebEnv } from './web-env'

/**
 * Web sign-in keeps the same JWT the API accepts (dev issuer locally, Cognito in AWS) in an
 * HttpOnly, SameSite=Strict cookie, and verifies it on every admin request through `deps.verifier`,
 * so the pages and the API trust exactly the same tokens.
 *
 * Forms that change something are protected twice against cross-site requests: the Origin (or
 * Sec-Fetch-Site) must be this site, and the form must carry a CSRF token derived from the session
 * token (a hash of a secret the attacker cannot read, so it needs no server-side state or key).
 */
export const SESSION_COOKIE = 'ff_session'

/** Cookies are Secure everywhere except plain-http development on the loopback host. */
export function isLocalHttp(c: Context): boolean {
  const url = new URL(c.req.url)
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
}

export function setSessionCookie(c: Context, token: string, maxAgeSeconds: number): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    secure: !isLocalHttp(c),
    maxAge: Math.max(60, Math.min(maxAgeSeconds, 12 * 3600)),
  })
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: !isLocalHttp(c) })
}

export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`fundfinder-csrf\u0000${sessionToken}`).digest('base64url')
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

/** True when a state-changing request comes from a page of this site. */
export function isSameOriginRequest(c: Context): boolean {
  const origin = c.req.header('origin')
  if (origin !== undefined) return origin === new URL(c.req.url).origin
  // Browsers send Origin on every POST; without it, accept only a same-origin fetch-metadata header.
  return c.req.header('sec-fetch-site') === 'same-origin'
}

/** A form posted from another site, or without its CSRF token: a 403 problem, shown as a page. */
export class CrossSiteRequest extends Problem {
  override name = 'CrossSiteRequest'
  constructor(detail: string) {
    super(403, 'forbidden', 'This form could not be accepted', detail)
  }
}

/** Refuses a POST that did not come from one of our own pages. */
export function requireSameOrigin(): MiddlewareHandler<WebEnv> {
  return async function requireSameOriginMiddleware(c, next) {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && !isSameOriginRequest(c)) {
      throw new CrossSiteRequest('This form was submitted from another site.')
    }
    await next()
  }
}

/** Not a problem to show but a detour: the pages' error handler sends the browser to sign in. */
export class NotSignedIn extends Error {
  override name = 'NotSignedIn'
  constructor(readonly reason: 'missing' | 'invalid') {
    super(reason === 'missing' ? 'Sign in to continue.' : 'Your session has ended; sign in again.')
  }
}

/** Signed in, but without a role the page needs: a 403 problem, shown as a page. */
export class MissingRole extends Problem {
  override name = 'MissingRole'
  constructor(
    readonly principal: Principal,
    readonly roles: Role[],
  ) {
    super(
      403,
      'forbidden',
      'You cannot open this page',
      `This page needs the ${roles.join(' or ')} role. You are signed in as ${principal.name}.`,
    )
  }
}

/**
 * Admin pages: a valid session with one of the roles, and on POST a matching CSRF token in the
 * form. Sets `principal` and `csrfToken` for the handler.
 */
export function requireSignIn(...roles: Role[]): MiddlewareHandler<WebEnv> {
  return async function requireSignInMiddleware(c, next) {
    const token = getCookie(c, SESSION_COOKIE)
    if (!token) throw new NotSignedIn('missing')
    let principal: Principal
    try {
      principal = await c.var.deps.verifier.verify(token)
    } catch (error) {
      // A token that no longer verifies (expired, revoked key) ends the session: sign in again.
      if (toProblem(error).status === 401) {
        clearSessionCookie(c)
        throw new NotSignedIn('invalid')
      }
      throw error
    }
    if (!hasRole(principal, roles)) throw new MissingRole(principal, roles)
    const csrfToken = csrfTokenFor(token)
    if (c.req.method === 'POST') {
      const sent = text(await readForm(c), 'csrf')
      if (!sameToken(sent, csrfToken)) throw new CrossSiteRequest('The form is missing its security token.')
    }
    c.set('principal', principal)
    c.set('csrfToken', csrfToken)
    await next()
  }
}

/** The signed-in user as the page header shows them; only on routes behind `requireSignIn`. */
export function userOf(c: Context<WebEnv>): SignedInUser {
  const { name, roles } = c.var.principal
  return { name, roles, countries: editorOf(c.var.principal).countries, csrfToken: c.var.csrfToken }
}
