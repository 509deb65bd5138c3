import type { Context } from 'hono'
import type { Child } from 'hono/jsx'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * Sends a server-rendered page. hono/jsx escapes every text and attribute value, so catalogue
 * content can never inject markup. Pages that show a signed-in user's data are never cached.
 */
export async function renderPage(
  c: Context,
  page: Child | Promise<Child>,
  options: { status?: ContentfulStatusCode; private?: boolean } = {},
): Promise<Response> {
  const html = String(await page)
  c.header('Cache-Control', options.private ? 'no-store' : 'no-cache')
  c.header('X-Content-Type-Options', 'nosniff')
  return c.html(`<!doctype html>${html}`, options.status ?? 200)
}
