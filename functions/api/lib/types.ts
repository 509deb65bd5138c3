import type { OpenAPIHono, RouteConfig, RouteHandler } from '@hono/zod-openapi'
import type { LiveCatalogue } from '../../../shared/catalogue/search/live-catalogue'
import type { InstrumentStore } from '../../../shared/catalogue/store/instrument-store'
import type { Principal, TokenVerifier } from '../../../shared/platform/auth'
import type { Config } from '../../../shared/platform/config'
import type { Logger } from '../../../shared/platform/logger'
import type { Clock } from '../../../shared/platform/time'
import type { ProjectStore } from '../../../shared/portfolio/project-store'

/** Everything the app needs from the outside world, injected so tests build it with real parts. */
export interface AppDeps {
  config: Config
  store: InstrumentStore
  verifier: TokenVerifier
  clock: Clock
  logger: Logger
  /** The in-memory search projection of the live catalogue, kept fresh against `store`. */
  catalogue: LiveCatalogue
  /** Organisations' private project portfolios (never shown by public endpoints). */
  projects: ProjectStore
}

export interface AppEnv {
  Variables: {
    requestId: string
    principal: Principal
    deps: AppDeps
  }
}

export type AppOpenAPI = OpenAPIHono<AppEnv>
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>
