import type { RouteConfig, RouteHandler } from '@hono/zod-openapi'
import type { Deps } from '../../../shared/deps'
import type { Principal } from '../../../shared/platform/auth'

/** The app's dependencies are the composition root's (`shared/deps.ts`), injected per request. */
export type AppDeps = Deps

export interface AppEnv {
  Variables: {
    requestId: string
    principal: Principal
    deps: AppDeps
  }
}

export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>
