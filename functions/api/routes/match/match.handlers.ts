import type { AppRouteHandler } from '../../lib/types'
import type { matchInstruments } from './match.routes'

export const match: AppRouteHandler<typeof matchInstruments> = async (c) => {
  const { catalogue, clock } = c.var.deps
  const result = await catalogue.match(c.req.valid('json'), clock.now())
  c.header('Cache-Control', 'no-cache')
  return c.json(result, 200)
}
