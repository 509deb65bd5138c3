import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import { secureHeaders } from 'hono/secure-headers'
import type { Config } from '../../../shared/platform/config'
import type { AppEnv } from './types'

/**
 * Security headers on every response, the same for all: the web pages and the API reference at
 * /docs are built to satisfy `default-src 'self'` (no inline scripts or styles, no third-party
 * assets); no handler can relax it. `img-src data:` admits the icons the stylesheets embed.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    strictTransportSecurity: 'max-age=31536000; includeSubDomains',
    referrerPolicy: 'strict-origin-when-cross-origin',
    xFrameOptions: 'DENY',
    permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
  }) as MiddlewareHandler<AppEnv>
}

/**
 * CORS for the JSON API from the configured allow-list only; with an empty list no CORS headers
 * are sent and browsers keep the API same-origin.
 */
export function apiCors(config: Pick<Config, 'corsOrigins'>): MiddlewareHandler<AppEnv> {
  const allowed = new Set(config.corsOrigins)
  return cors({
    origin: (origin) => (allowed.has(origin) ? origin : null),
    allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    allowHeaders: [
      'Authorization',
      'Content-Type',
      'If-Match',
      'If-None-Match',
      'Prefer',
      'X-Request-Id',
      'X-Catalogue-Min-Version',
    ],
    exposeHeaders: [
      'ETag',
      'Location',
      'X-Request-Id',
      'Retry-After',
      'Preference-Applied',
      'X-Catalogue-Version',
    ],
    maxAge: 600,
  }) as MiddlewareHandler<AppEnv>
}
