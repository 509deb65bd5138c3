import { ulid } from 'ulid'
import {
  ImportJobNotFound,
  type ImportJobView,
  type ImportMediaType,
  isFinished,
  newImportJob,
  submitImportJob,
} from '../../../../shared/catalogue/imports/import-jobs'
import { problems } from '../../lib/problem'
import type { AppRouteHandler } from '../../lib/types'
import { bodyMediaType, CSV_MEDIA_TYPES, declaredCharset } from './import-body'
import { type getImportJob, IMPORTS_PATH, type importInstruments as importRoute } from './imports.routes'

/** While a job runs, clients poll this often (seconds). */
const POLL_AFTER_SECONDS = '2'

/** Whether a `Prefer` header (RFC 7240) asks for `respond-async`. */
export function prefersRespondAsync(prefer: string | undefined): boolean {
  return (prefer ?? '')
    .split(',')
    .some((preference) => preference.split(/[;=]/)[0]?.trim().toLowerCase() === 'respond-async')
}

function uploadMediaType(contentType: string | undefined): ImportMediaType {
  const mediaType = bodyMediaType(contentType)
  if (mediaType !== undefined && CSV_MEDIA_TYPES.has(mediaType)) {
    const charset = declaredCharset(contentType)
    if (charset && !['utf-8', 'utf8', 'utf-16', 'utf-16le', 'utf-16be'].includes(charset)) {
      throw problems.unsupportedMediaType(`Send the file as UTF-8 (charset=${charset} is not supported).`)
    }
    return 'text/csv'
  }
  if (mediaType === 'application/json') return 'application/json'
  throw problems.unsupportedMediaType(
    `Send the file as text/csv or a JSON array as application/json${mediaType ? `, not ${mediaType}` : ' (the Content-Type header is missing)'}.`,
  )
}

export const importFile: AppRouteHandler<typeof importRoute> = async (c) => {
  const { store, clock, config } = c.var.deps
  const { dryRun, atomic } = c.req.valid('query')
  const mediaType = uploadMediaType(c.req.header('content-type'))
  const bytes = new Uint8Array(await c.req.arrayBuffer())
  // The import code (CSV reader, validation, matching) loads with the first import, not on every cold start.
  const { assertImportSize, importInstruments, parseImportFile } = await import(
    '../../../../shared/catalogue/imports/import-instruments'
  )
  // A file that cannot be read, a rejected or an undone import: `toProblem` maps each to its status.
  const parsed = parseImportFile(bytes, mediaType)
  const total = parsed.records.length
  assertImportSize(total)
  const bound = config.imports.syncMaxRows
  const rows = (count: number) => `${count.toLocaleString('en')} record${count === 1 ? '' : 's'}`

  if (atomic && !dryRun && total > bound) {
    throw problems.payloadTooLarge(
      `The file has ${rows(total)}; an atomic import takes at most ${rows(bound)}, so that undoing it always fits in one request. Split the file, or import it without atomic=true in the background (Prefer: respond-async): re-running it after a failure is safe, records are matched by externalId.`,
    )
  }
  // RFC 7240: a preference the server may decline. Atomic imports decline it (see the route).
  if (prefersRespondAsync(c.req.valid('header').prefer) && !atomic) {
    const job = await submitImportJob(
      c.var.deps,
      newImportJob({
        id: ulid(clock.now().getTime()).toLowerCase(),
        dryRun,
        layout: parsed.layout,
        mediaType,
        total,
        createdBy: c.var.principal.name,
        now: clock.now(),
      }),
      bytes,
      clock.now(),
    )
    c.header('Location', `${IMPORTS_PATH}/${job.id}`)
    c.header('Preference-Applied', 'respond-async')
    c.header('Retry-After', POLL_AFTER_SECONDS)
    c.header('Cache-Control', 'no-store')
    return c.json(job, 202)
  }
  if (!dryRun && total > bound) {
    throw problems.payloadTooLarge(
      `The file has ${rows(total)}; a synchronous import takes at most ${rows(bound)}, so that it ends within the 29 s a request may last. Send it with the header Prefer: respond-async to import it in the background (202, then poll the Location), or split it.`,
    )
  }
  const report = await importInstruments(store, parsed, {
    dryRun,
    atomic,
    actor: c.var.principal.name,
    now: clock.now(),
  })
  c.header('Cache-Control', 'no-store')
  return c.json(report, 200)
}

export const getJob: AppRouteHandler<typeof getImportJob> = async (c) => {
  const { id } = c.req.valid('param')
  const job: ImportJobView | undefined = await c.var.deps.importJobs.get(id)
  if (!job) throw new ImportJobNotFound(id)
  c.header('Cache-Control', 'no-store')
  if (!isFinished(job.state)) c.header('Retry-After', POLL_AFTER_SECONDS)
  return c.json(job, 200)
}
