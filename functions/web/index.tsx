import { Hono } from 'hono'
import { InstrumentGone, InstrumentNotFound } from '../../shared/catalogue/errors'
import { InvalidCursor } from '../../shared/platform/cursor'
import type { AppEnv } from '../api/lib/types'
import { ASSETS, IMMUTABLE_CACHE } from './assets'
import { renderPage } from './lib/render'
import { CrossSiteRequest, MissingRole, NotSignedIn } from './lib/session'
import { MessagePage } from './pages/detail-page'
import { adminPages } from './routes/admin-pages'
import { portfolioPages } from './routes/portfolio-pages'
import { publicPages } from './routes/public-pages'
import { signInPages } from './routes/sign-in'

/**
 * The web pages, rendered on the server with hono/jsx and served by the API's own app. They are
 * not part of the OpenAPI document. No middleware here is registered on `*`: mounted at `/`, that
 * would run for the API's routes too.
 */
export const webRouter = new Hono<AppEnv>()

for (const asset of Object.values(ASSETS)) {
  webRouter.get(asset.path, (c) => {
    c.header('Cache-Control', IMMUTABLE_CACHE)
    c.header('Content-Type', asset.contentType)
    c.header('X-Content-Type-Options', 'nosniff')
    return c.body(asset.body)
  })
}

webRouter.route('/', publicPages)
webRouter.route('/', signInPages)
webRouter.route('/', adminPages as unknown as Hono<AppEnv>)
webRouter.route('/', portfolioPages as unknown as Hono<AppEnv>)

/** Errors on web pages are pages too (the API's problem+json is for API clients). */
webRouter.onError(async (error, c) => {
  if (error instanceof NotSignedIn) {
    const next = c.req.method === 'GET' ? c.req.path + (new URL(c.req.url).search ?? '') : '/admin'
    const ended = error.reason === 'invalid' ? '&ended=1' : ''
    return c.redirect(`/admin/sign-in?next=${encodeURIComponent(next)}${ended}`, 303)
  }
  const page = (title: string, detail: string, status: 400 | 403 | 404 | 410 | 500) =>
    renderPage(
      c,
      <MessagePage title={title}>
        <p>{detail}</p>
        <p>
          <a href="/">Go to the search</a>
        </p>
      </MessagePage>,
      { status, private: true },
    )
  if (error instanceof MissingRole) {
    return page(
      'You cannot open this page',
      `${error.message} You are signed in as ${error.principal.name}.`,
      403,
    )
  }
  if (error instanceof CrossSiteRequest) return page('This form could not be accepted', error.message, 403)
  if (error instanceof InvalidCursor) return page('That page link is not valid', error.message, 400)
  if (error instanceof InstrumentNotFound) return page('Instrument not found', error.message, 404)
  if (error instanceof InstrumentGone) return page('This instrument is no longer listed', error.message, 410)
  c.var.deps?.logger.error('unhandled error on a web page', {
    requestId: c.var.requestId,
    method: c.req.method,
    path: c.req.path,
    error: error.name,
    detail: error.message,
    stack: error.stack,
  })
  return page(
    'Something went wrong',
    'An unexpected error occurred. It has been logged; please try again.',
    500,
  )
})
