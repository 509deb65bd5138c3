import type { ApiSurface } from '../../../shared/platform/config'

/**
 * The app serves two surfaces, deployed as two functions with different rights (infra/): the
 * public surface (search, details, match, taxonomy, feeds, exports, public pages, docs, assets)
 * runs with read-only table access; the write surface (changes to the catalogue, admin, portfolios,
 * the admin pages) runs with write access behind API Gateway routes of its own. This table is the
 * one definition of what belongs to the write surface: the stack builds the gateway's routes from
 * it, and the app refuses a request of the other surface (`surfaceOf`), so a misrouted write can
 * never reach code running with read-only rights, nor a public request the write function.
 *
 * Adding a write route is one line here. A public POST that writes (subscriptions, their confirm
 * and unsubscribe buttons) is a write route with `gatewayAuth: 'none'`, e.g.
 * `{ path: '/v1/subscriptions', methods: ['POST'], gatewayAuth: 'none' }`, plus the reason it has no
 * gateway authorizer in `UNAUTHENTICATED_WRITE_ROUTES` (infra/fundfinder-stack.ts).
 */
export type Surface = Exclude<ApiSurface, 'all'>

export const WRITE_METHODS = ['POST', 'PUT', 'DELETE'] as const
export type HttpMethodName = 'GET' | 'HEAD' | 'OPTIONS' | 'PATCH' | (typeof WRITE_METHODS)[number]

export interface WriteRoute {
  /** The path and every path below it (`/v1/admin` covers `/v1/admin/audit`). */
  path: `/${string}`
  /** The methods of the write surface at this path; `ANY` for all of them. */
  methods: 'ANY' | readonly HttpMethodName[]
  /**
   * `jwt`: the gateway verifies the bearer token (Cognito) before the function runs, and the app
   * verifies it again. `none`: no gateway authorizer (pages with a cookie session that redirect to
   * sign-in, public forms); the app decides alone.
   */
  gatewayAuth: 'jwt' | 'none'
}

export const WRITE_ROUTES: readonly WriteRoute[] = [
  { path: '/v1/instruments', methods: WRITE_METHODS, gatewayAuth: 'jwt' },
  { path: '/v1/admin', methods: 'ANY', gatewayAuth: 'jwt' },
  { path: '/v1/projects', methods: 'ANY', gatewayAuth: 'jwt' },
  { path: '/admin', methods: 'ANY', gatewayAuth: 'none' },
  { path: '/v1/subscriptions', methods: ['POST'], gatewayAuth: 'none' },
  { path: '/subscriptions', methods: ['POST'], gatewayAuth: 'none' },
]

const covers = (route: WriteRoute, method: string, path: string) =>
  (path === route.path || path.startsWith(`${route.path}/`)) &&
  (route.methods === 'ANY' || (route.methods as readonly string[]).includes(method.toUpperCase()))

/** The surface a request belongs to, from its method and its (decoded) path: what the gateway routes on. */
export function surfaceOf(method: string, path: string): Surface {
  return WRITE_ROUTES.some((route) => covers(route, method, path)) ? 'write' : 'public'
}

/** True when an app configured for `served` answers a request of `surface`. */
export function serves(served: ApiSurface, surface: Surface): boolean {
  return served === 'all' || served === surface
}
