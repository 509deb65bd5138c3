import type { AppRouteHandler } from '../../lib/types'
import { type exportInstrumentsCsv, MAX_EXPORT_ROWS } from './exports.routes'

export const exportCsv: AppRouteHandler<typeof exportInstrumentsCsv> = async (c) => {
  const { catalogue, clock } = c.var.deps
  const criteria = c.req.valid('query')
  // Loaded on first use: a cold start that serves no export does not evaluate the CSV writer.
  const { instrumentsToCsv } = await import('../../../../shared/catalogue/csv/instrument-csv')
  const result = await catalogue.search({ ...criteria, page: 1, limit: MAX_EXPORT_ROWS }, clock.now())
  c.header('Content-Type', 'text/csv; charset=utf-8')
  c.header('Content-Disposition', 'attachment; filename="instruments.csv"')
  c.header('Cache-Control', 'no-cache')
  c.header('X-Total-Count', String(result.total))
  if (result.total > result.items.length) c.header('X-Export-Truncated', 'true')
  return c.body(instrumentsToCsv(result.items), 200)
}
