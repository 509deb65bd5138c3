import { createRouter } from '../../lib/create-router'
import { listAudit } from './audit.routes'

export const adminRouter = createRouter().openapi(listAudit, async (c) => {
  const { limit, cursor, instrumentId } = c.req.valid('query')
  const page = await c.var.deps.store.listAudit({ limit, cursor, instrumentId })
  return c.json({ items: page.items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }, 200)
})
