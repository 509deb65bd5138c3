import { parseInstrumentCsv } from '../../../../shared/catalogue/csv/instrument-csv'
import {
  importInstruments,
  parseInstrumentJson,
} from '../../../../shared/catalogue/imports/import-instruments'
import { problems } from '../../lib/problem'
import type { AppRouteHandler } from '../../lib/types'
import { bodyMediaType, CSV_MEDIA_TYPES, declaredCharset } from './import-body'
import type { importInstruments as importRoute } from './imports.routes'

export const importFile: AppRouteHandler<typeof importRoute> = async (c) => {
  const { store, clock } = c.var.deps
  const { dryRun, atomic } = c.req.valid('query')
  const contentType = c.req.header('content-type')
  const mediaType = bodyMediaType(contentType)
  const isCsv = mediaType !== undefined && CSV_MEDIA_TYPES.has(mediaType)
  const isJson = mediaType === 'application/json'
  if (!isCsv && !isJson) {
    throw problems.unsupportedMediaType(
      `Send the file as text/csv or a JSON array as application/json${mediaType ? `, not ${mediaType}` : ' (the Content-Type header is missing)'}.`,
    )
  }
  const charset = declaredCharset(contentType)
  if (charset && !['utf-8', 'utf8', 'utf-16', 'utf-16le', 'utf-16be'].includes(charset)) {
    throw problems.unsupportedMediaType(`Send the file as UTF-8 (charset=${charset} is not supported).`)
  }
  const bytes = new Uint8Array(await c.req.arrayBuffer())
  // A file that cannot be read, a rejected or an undone import: `toProblem` maps each to its status.
  const parsed = isCsv ? parseInstrumentCsv(bytes) : { layout: 'json' as const, records: parseJson(bytes) }
  const report = await importInstruments(store, parsed, {
    dryRun,
    atomic,
    actor: c.var.principal.name,
    now: clock.now(),
  })
  c.header('Cache-Control', 'no-store')
  return c.json(report, 200)
}

function parseJson(bytes: Uint8Array) {
  let body: unknown
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw problems.malformedJson()
  }
  return parseInstrumentJson(body)
}
