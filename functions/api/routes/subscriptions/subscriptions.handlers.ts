import type { AppRouteHandler } from '../../lib/types'
import { organisationOf } from '../projects/require-organisation'
import { clientAddress } from './client-address'
import type {
  changeFrequency as changeFrequencyRoute,
  confirmSubscription,
  createSubscription,
  endProjectWatch,
  liftSuppression as liftSuppressionRoute,
  listProjectWatches,
  subscriptionStats,
  unsubscribe as unsubscribeRoute,
  watchProject,
} from './subscriptions.routes'

const NO_STORE = 'no-store'
/** As every project route: the answer is about a private project. */
const PRIVATE = 'private, no-store'

export const create: AppRouteHandler<typeof createSubscription> = async (c) => {
  await c.var.deps.subscriptions.requestSearchDigest(c.req.valid('json'), clientAddress(c))
  c.header('Cache-Control', NO_STORE)
  return c.json({ status: 'pending-confirmation' as const }, 202)
}

export const watch: AppRouteHandler<typeof watchProject> = async (c) => {
  const { id } = c.req.valid('param')
  await c.var.deps.subscriptions.requestProjectWatch(
    organisationOf(c),
    id,
    c.req.valid('json'),
    clientAddress(c),
  )
  c.header('Cache-Control', NO_STORE)
  return c.json({ status: 'pending-confirmation' as const }, 202)
}

export const watches: AppRouteHandler<typeof listProjectWatches> = async (c) => {
  const items = await c.var.deps.subscriptions.projectWatches(organisationOf(c), c.req.valid('param').id)
  c.header('Cache-Control', PRIVATE)
  return c.json({ items }, 200)
}

export const endWatch: AppRouteHandler<typeof endProjectWatch> = async (c) => {
  const { id, watchId } = c.req.valid('param')
  await c.var.deps.subscriptions.endProjectWatch(organisationOf(c), id, watchId, c.var.principal.name)
  c.header('Cache-Control', NO_STORE)
  return c.body(null, 204)
}

export const confirm: AppRouteHandler<typeof confirmSubscription> = async (c) => {
  const result = await c.var.deps.subscriptions.confirm(c.req.valid('json').token)
  c.header('Cache-Control', NO_STORE)
  return c.json(result, 200)
}

export const changeFrequency: AppRouteHandler<typeof changeFrequencyRoute> = async (c) => {
  const { token, frequency } = c.req.valid('json')
  const result = await c.var.deps.subscriptions.changeFrequency(token, frequency)
  c.header('Cache-Control', NO_STORE)
  return c.json(result, 200)
}

export const unsubscribe: AppRouteHandler<typeof unsubscribeRoute> = async (c) => {
  const result = await c.var.deps.subscriptions.unsubscribe(c.req.valid('json').token)
  c.header('Cache-Control', NO_STORE)
  return c.json(result, 200)
}

export const stats: AppRouteHandler<typeof subscriptionStats> = async (c) => {
  c.header('Cache-Control', NO_STORE)
  return c.json(await c.var.deps.subscriptions.stats(), 200)
}

export const liftSuppression: AppRouteHandler<typeof liftSuppressionRoute> = async (c) => {
  const { email } = c.req.valid('json')
  const lifted = await c.var.deps.subscriptions.liftSuppression(email, c.var.principal.name)
  c.header('Cache-Control', NO_STORE)
  return c.json({ reason: lifted.reason, suppressedAt: lifted.at }, 200)
}
