import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { UNSUBSCRIBE_PAGE_PATH } from '../../../../shared/subscriptions/subscription-service'
import { isWellFormedToken } from '../../../../shared/subscriptions/tokens'
import { problemResponse } from '../../lib/on-error'
import { problems } from '../../lib/problem'
import type { AppEnv } from '../../lib/types'

/** RFC 8058 bodies are one short field; nothing bigger is read. */
const MAX_ONE_CLICK_BYTES = 4096

/**
 * RFC 8058 one-click unsubscribe. Every digest's `List-Unsubscribe` header names the unsubscribe
 * page's URL (`/subscriptions/unsubscribe?token=...`, the link in the email too), and says with
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click` that a mail client may POST there, without
 * sign-in or cookies, with the body `List-Unsubscribe=One-Click` (form-urlencoded or multipart).
 *
 * Only such a POST is handled here. Any other request to the path (a GET, which must never change
 * anything, or the page's own form) passes on to the next handler: the web page
 * (`functions/web/routes/subscription-pages.tsx`), whose GET shows a button and whose POST unsubscribes.
 * The token is the only credential, so the route needs no CSRF defence: a forged POST could only
 * unsubscribe the subscription whose secret link the forger already has.
 */
export const oneClickUnsubscribeRouter = new Hono<AppEnv>().post(
  UNSUBSCRIBE_PAGE_PATH,
  bodyLimit({
    maxSize: MAX_ONE_CLICK_BYTES,
    onError: (c) =>
      problemResponse(c, problems.payloadTooLarge('A one-click unsubscribe body is one short field.')),
  }),
  async function oneClickUnsubscribe(c, next) {
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>)
    if (body['List-Unsubscribe'] !== 'One-Click') return next()
    const token = c.req.query('token') ?? ''
    if (!isWellFormedToken(token)) {
      throw problems.validation('The unsubscribe link is incomplete: its token is missing or damaged.', [
        { path: 'token', message: 'must be the token of the link in the email' },
      ])
    }
    await c.var.deps.subscriptions.unsubscribe(token)
    c.header('Cache-Control', 'no-store')
    return c.text(
      'Unsubscribed: no more digests will be sent for this subscription, and its data is deleted.',
      200,
    )
  },
)
