import type { Deps } from '../../../shared/deps'
import type { Principal } from '../../../shared/platform/auth'

/**
 * What the web pages read from a request: the dependencies and the request id, set by the app the
 * pages are mounted in (functions/api/app.ts), and on signed-in pages the user and the CSRF token
 * of their session, set by `requireSignIn` (./session.ts).
 */
export interface WebEnv {
  Variables: {
    requestId: string
    deps: Deps
    principal: Principal
    csrfToken: string
  }
}
