import { editorOf, restoreInstrument } from '../../../../shared/catalogue/editing'
import { toPublicInstrument } from '../../../../shared/catalogue/instrument'
import { etag } from '../../lib/etag'
import type { AppRouteHandler } from '../../lib/types'
import type { listArchive, restoreArchived } from './archive.routes'

export const list: AppRouteHandler<typeof listArchive> = async (c) => {
  const { store, clock } = c.var.deps
  const { limit, cursor, reason } = c.req.valid('query')
  const page = await store.listArchive({ limit, cursor, reason })
  const now = clock.now()
  const items = page.items.map((archived) => ({
    ...archived,
    instrument: toPublicInstrument(archived.instrument, now),
  }))
  return c.json({ items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }, 200)
}

export const restore: AppRouteHandler<typeof restoreArchived> = async (c) => {
  const { store, clock } = c.var.deps
  const { id } = c.req.valid('param')
  const { deadline } = c.req.valid('json')
  const now = clock.now()
  const record = await restoreInstrument(store, editorOf(c.var.principal), id, { deadline }, now)
  c.header('ETag', etag(record.version))
  return c.json(toPublicInstrument(record, now), 200)
}
