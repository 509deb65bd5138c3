import type { OpenAPIHono, RouteConfig, RouteHandler } from '@hono/zod-openapi'
import type { Principal, TokenVerifier } from '../../../shared/auth'
import type { Config } from '../../../shared/config'
import type { InstrumentStore } from '../../../shared/instrument-repository'
import type { Logger } from '../../../shared/logger'
import type { ProjectStore } from '../../../shared/projects/project-store'
import type { LiveCatalogue } from '../../../shared/search/live-catalogue'
import type { Clock } from '../../../shared/time'

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
