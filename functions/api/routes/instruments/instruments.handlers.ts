import {
  createInstrument,
  deleteInstrument,
  editorOf,
  updateInstrument,
} from '../../../../shared/catalogue/editing'
import { toPublicInstrument } from '../../../../shared/catalogue/instrument'
import { findPublicInstrument } from '../../../../shared/catalogue/public-instrument'
import { etag, expectedVersion, notModified } from '../../lib/etag'
import { problems } from '../../lib/problem'
import type { AppRouteHandler } from '../../lib/types'
import type {
  createInstrument as createRoute,
  deleteInstrument as deleteRoute,
  getInstrument,
  listInstruments,
  replaceInstrument as replaceRoute,
} from './instruments.routes'

export const list: AppRouteHandler<typeof listInstruments> = async (c) => {
  const { catalogue, clock } = c.var.deps
  const result = await catalogue.search(c.req.valid('query'), clock.now())
  c.header('Cache-Control', 'no-cache')
  return c.json(result, 200)
}

export const get: AppRouteHandler<typeof getInstrument> = async (c) => {
  const { store, clock } = c.var.deps
  const { id } = c.req.valid('param')
  const found = await findPublicInstrument(store, id, clock.now())
  switch (found.found) {
    case 'nothing':
      throw problems.notFound(`No instrument with id '${id}'.`)
    case 'archived':
      throw problems.gone(`Instrument '${id}' is no longer in the catalogue (${found.archived.reason}).`)
    case 'expired':
      throw problems.gone(`Instrument '${id}' closed on ${found.instrument.deadline}.`)
  }
  const { instrument } = found
  c.header('ETag', etag(instrument.version))
  c.header('Cache-Control', 'no-cache')
  if (notModified(c.req.header('if-none-match'), instrument.version)) return c.body(null, 304)
  return c.json(instrument, 200)
}

export const create: AppRouteHandler<typeof createRoute> = async (c) => {
  const { store, clock } = c.var.deps
  const now = clock.now()
  const record = await createInstrument(store, editorOf(c.var.principal), c.req.valid('json'), now)
  c.header('Location', `/v1/instruments/${record.id}`)
  c.header('ETag', etag(record.version))
  return c.json(toPublicInstrument(record, now), 201)
}

export const replace: AppRouteHandler<typeof replaceRoute> = async (c) => {
  const { store, clock } = c.var.deps
  const { id } = c.req.valid('param')
  const version = expectedVersion(c.req.valid('header')['if-match'])
  const now = clock.now()
  const record = await updateInstrument(
    store,
    editorOf(c.var.principal),
    id,
    c.req.valid('json'),
    version,
    now,
  )
  c.header('ETag', etag(record.version))
  return c.json(toPublicInstrument(record, now), 200)
}

export const remove: AppRouteHandler<typeof deleteRoute> = async (c) => {
  const { store, clock } = c.var.deps
  const { id } = c.req.valid('param')
  const version = expectedVersion(c.req.valid('header')['if-match'])
  await deleteInstrument(store, editorOf(c.var.principal), id, version, clock.now())
  return c.body(null, 204)
}
