import type { MiddlewareHandler } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { withFreshness } from '../../../shared/catalogue/search/live-catalogue'
import { isLocalHttp, SESSION_COOKIE } from '../../web/lib/session'
import type { AppEnv } from './types'

/**
 * Read-your-writes over a fleet of search instances that trust their catalogue for up to
 * CATALOGUE_MAX_STALENESS_MS (the public staleness bound):
 *
 * - a successful write by a signed-in caller answers with the catalogue version it produced
 *   (`X-Catalogue-Version`, and a short-lived cookie for the web pages, which redirect after a form);
 * - a request that carries a version (`X-Catalogue-Min-Version`, or that cookie) is served a
 *   catalogue at least that new, and a signed-in request one checked against the table now,
 *   whichever instance serves it.
 *
 * Anonymous readers keep the staleness window and its saving (no read of the hot version item).
 */
export const CATALOGUE_VERSION_HEADER = 'X-Catalogue-Version'
export const MIN_CATALOGUE_VERSION_HEADER = 'X-Catalogue-Min-Version'
export const CATALOGUE_VERSION_COOKIE = 'ff_catalogue_version'
/** Covers the largest staleness bound the configuration allows (60 s). */
const COOKIE_MAX_AGE_SECONDS = 60

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

function parseVersion(value: string | undefined): number | undefined {
  return value && /^\d{1,15}$/.test(value) ? Number(value) : undefined
}

export function catalogueFreshness(): MiddlewareHandler<AppEnv> {
  return async function catalogueFreshnessMiddleware(c, next) {
    const minVersion =
      parseVersion(c.req.header(MIN_CATALOGUE_VERSION_HEADER)) ??
      parseVersion(getCookie(c, CATALOGUE_VERSION_COOKIE))
    // A credential is enough to ask for a fresh read; the route still verifies it before acting.
    const signedIn = c.req.header('authorization') !== undefined || getCookie(c, SESSION_COOKIE) !== undefined
    await withFreshness({ minVersion, checkNow: signedIn }, next)
    if (!signedIn || SAFE_METHODS.has(c.req.method) || c.res.status >= 400) return
    const version = await c.var.deps.store.catalogueVersion()
    c.header(CATALOGUE_VERSION_HEADER, String(version))
    setCookie(c, CATALOGUE_VERSION_COOKIE, String(version), {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure: !isLocalHttp(c),
      maxAge: COOKIE_MAX_AGE_SECONDS,
    })
  }
}
