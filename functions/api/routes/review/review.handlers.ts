import { editorOf, listReviewQueue } from '../../../../shared/catalogue/editing'
import { toPublicInstrument } from '../../../../shared/catalogue/instrument'
import type { AppRouteHandler } from '../../lib/types'
import type { listReview } from './review.routes'

export const list: AppRouteHandler<typeof listReview> = async (c) => {
  const { store, clock } = c.var.deps
  const { limit, cursor } = c.req.valid('query')
  const page = await listReviewQueue(store, editorOf(c.var.principal), { limit, cursor })
  const now = clock.now()
  const items = page.items.map((item) => ({ ...item, instrument: toPublicInstrument(item.instrument, now) }))
  c.header('Cache-Control', 'no-store')
  return c.json({ items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }, 200)
}
