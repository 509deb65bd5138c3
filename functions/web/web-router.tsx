import type { Context } from 'hono'
import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { problemFor } from '../api/lib/on-error'
import { ASSETS, FAVICON_ICO, IMMUTABLE_CACHE } from './assets'
import { renderPage } from './lib/render'
import { NotSignedIn } from './lib/session'
import type { WebEnv } from './lib/web-env'
import { ProblemPage } from './pages/message-page'

/**
 * The web pages, rendered on the server with hono/jsx and served by the API's own app, with the
 * assets they use and one error page for them all: the pages given (the whole site in ./index.tsx,
 * the public function's share in ./public.tsx). They are not part of the OpenAPI document. No
 * middleware here is registered on `*`: mounted at `/`, that would run for the API's routes too.
 */
export function createWebRouter(...pages: readonly Hono<WebEnv>[]): Hono<WebEnv> {
  const webRouter = new Hono<WebEnv>()
  for (const asset of Object.values(ASSETS)) {
    webRouter.get(asset.path, (c) => {
      c.header('Cache-Control', IMMUTABLE_CACHE)
      c.header('Content-Type', asset.contentType)
      c.header('X-Content-Type-Options', 'nosniff')
      return c.body(asset.body)
    })
  }
  webRouter.get(FAVICON_ICO.path, (c) => {
    c.header('Cache-Control', FAVICON_ICO.cacheControl)
    c.header('Content-Type', ASSETS.favicon.contentType)
    c.header('X-Content-Type-Options', 'nosniff')
    return c.body(ASSETS.favicon.body)
  })
  for (const page of pages) webRouter.route('/', page)
  webRouter.onError(onWebError)
  return webRouter
}

/** To the sign-in page, then back to where the browser was going (a GET) or to the admin home. */
function redirectToSignIn(c: Context<WebEnv>, signal: NotSignedIn): Response {
  const next = c.req.method === 'GET' ? c.req.path + (new URL(c.req.url).search ?? '') : '/admin'
  const ended = signal.reason === 'invalid' ? '&ended=1' : ''
  return c.redirect(`/admin/sign-in?next=${encodeURIComponent(next)}${ended}`, 303)
}

/**
 * Errors on web pages are pages too: the problem the API would send for the same error
 * (`problemFor`, one mapping and one log line for the unexpected), with its status and headers,
 * its title and detail shown to people instead of problem+json.
 */
async function onWebError(error: Error, c: Context<WebEnv>): Promise<Response> {
  if (error instanceof NotSignedIn) return redirectToSignIn(c, error)
  const problem = problemFor(c, error)
  for (const [name, value] of Object.entries(problem.headers)) c.header(name, value)
  return renderPage(c, <ProblemPage problem={problem} />, {
    status: problem.status as ContentfulStatusCode,
    private: true,
  })
}
