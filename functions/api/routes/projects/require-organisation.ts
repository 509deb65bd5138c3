import type { Context, MiddlewareHandler } from 'hono'
import { problems } from '../../lib/problem'
import type { AppEnv } from '../../lib/types'

/**
 * Project routes act on the organisation named in the caller's token (`custom:org`), never on one
 * named in the request. A token without it is a 403: the caller is known but belongs to no portfolio.
 * Runs after `requireRole`, which sets the principal.
 */
export function requireOrganisation(): MiddlewareHandler<AppEnv> {
  return async function requireOrganisationMiddleware(c, next) {
    if (!c.var.principal?.org) {
      throw problems.forbidden(
        'Projects belong to an organisation, and your token names none (the custom:org claim). Ask an administrator to set your organisation.',
      )
    }
    await next()
  }
}

/** The caller's organisation; only for handlers behind `requireOrganisation`. */
export function organisationOf(c: Context<AppEnv>): string {
  const org = c.var.principal.org
  if (!org) throw problems.forbidden('Your token names no organisation.')
  return org
}

/** Imports are sent as CSV; anything else is a 415 before the body is read. */
export function requireCsv(): MiddlewareHandler<AppEnv> {
  return async function requireCsvMiddleware(c, next) {
    const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase()
    if (type !== 'text/csv') {
      throw problems.unsupportedMediaType(
        `Send the file as text/csv${type ? `, not ${type}` : ' (the Content-Type header is missing)'}.`,
      )
    }
    await next()
  }
}
