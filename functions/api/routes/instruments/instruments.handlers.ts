import { assertDeadlineNotPast, toPublicInstrument } from '../../../../shared/catalogue/instrument'
import { etag, expectedVersion, notModified } from '../../lib/etag'
import { problems } from '../../lib/problem'
import type { AppRouteHandler } from '../../lib/types'
import type {
  createInstrument,
  deleteInstrument,
  getInstrument,
  listInstruments,
  replaceInstrument,
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
  const now = clock.now()
  const record = await store.get(id)
  if (!record) {
    const archived = await store.getArchived(id)
    if (archived)
      throw problems.gone(`Instrument '${id}' is no longer in the catalogue (${archived.reason}).`)
    throw problems.notFound(`No instrument with id '${id}'.`)
  }
  const instrument = toPublicInstrument(record, now)
  if (instrument.status === 'expired') {
    throw problems.gone(`Instrument '${id}' closed on ${instrument.deadline}.`)
  }
  c.header('ETag', etag(instrument.version))
  c.header('Cache-Control', 'no-cache')
  if (notModified(c.req.header('if-none-match'), instrument.version)) return c.body(null, 304)
  return c.json(instrument, 200)
}

export const create: AppRouteHandler<typeof createInstrument> = async (c) => {
  const { store, clock } = c.var.deps
  const input = c.req.valid('json')
  const now = clock.now()
  assertDeadlineNotPast(input, now)
  const record = await store.create(input, c.var.principal.name, now)
  c.header('Location', `/v1/instruments/${record.id}`)
  c.header('ETag', etag(record.version))
  return c.json(toPublicInstrument(record, now), 201)
}

export const replace: AppRouteHandler<typeof replaceInstrument> = async (c) => {
  const { store, clock } = c.var.deps
  const { id } = c.req.valid('param')
  const version = expectedVersion(c.req.valid('header')['if-match'])
  const input = c.req.valid('json')
  const now = clock.now()
  assertDeadlineNotPast(input, now)
  const record = await store.replace(id, input, version, c.var.principal.name, now)
  c.header('ETag', etag(record.version))
  return c.json(toPublicInstrument(record, now), 200)
}

export const remove: AppRouteHandler<typeof deleteInstrument> = async (c) => {
  const { store, clock } = c.var.deps
  const { id } = c.req.valid('param')
  const version = expectedVersion(c.req.valid('header')['if-match'])
  await store.archive(id, {
    expectedVersion: version,
    reason: 'deleted',
    actor: c.var.principal.name,
    now: clock.now(),
  })
  return c.body(null, 204)
}
