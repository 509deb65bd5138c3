import { createRoute, z } from '@hono/zod-openapi'
import { INPUT_COLUMNS, MAX_IMPORT_RECORDS, READ_ONLY_COLUMNS } from '../../../../shared/catalogue/csv/layout'
import { IMPORT_JOB_STATES } from '../../../../shared/catalogue/imports/import-jobs'
import { requireRole } from '../../lib/middleware'
import { bearerSecurity, problemResponses } from '../../lib/openapi'
import { importBodyLimit } from './import-body'
import { IMPORTS_PATH } from './imports-path'

export { IMPORTS_PATH }

const flag = (description: string) =>
  z
    .enum(['true', 'false'], { error: "must be 'true' or 'false'" })
    .optional()
    .transform((value) => value === 'true')
    .meta({ description })

export const ImportQuery = z.strictObject({
  dryRun: flag('`true`: validate and match every record, report what would happen, write nothing'),
  atomic: flag(
    '`true`: all or nothing. Any invalid record means nothing is written (422); a write-time failure undoes what was written (409)',
  ),
})

export const RecordResultSchema = z
  .object({
    row: z
      .number()
      .int()
      .optional()
      .meta({ description: 'Spreadsheet row (the header is row 1), or the 1-based array index for JSON' }),
    column: z
      .number()
      .int()
      .optional()
      .meta({ description: 'Spreadsheet column, for the matrix layout (instruments as columns)' }),
    outcome: z.enum(['created', 'updated', 'unchanged', 'failed']),
    id: z.string().optional(),
    externalId: z.string().optional(),
    name: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'ImportRecordResult' })

export const ImportReportSchema = z
  .object({
    layout: z.enum(['rows', 'matrix', 'json']),
    dryRun: z.boolean(),
    atomic: z.boolean(),
    total: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    failed: z.number().int(),
    catalogueVersion: z.number().int(),
    records: z.array(RecordResultSchema),
  })
  .meta({ id: 'ImportReport' })

export const ImportJobIdParams = z.object({
  id: z
    .string()
    .regex(/^[0-9a-z]{26}$/, 'must be an import job id')
    .meta({ param: { name: 'id', in: 'path' }, example: '01jd3x9q4v6n7p8r9s0t1u2v3w' }),
})

const Counts = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  failed: z.number().int(),
})

export const ImportJobSchema = z
  .object({
    id: z.string(),
    state: z.enum(IMPORT_JOB_STATES).meta({
      description:
        '`queued` (waiting for a worker), `running`, `succeeded` (every record handled; some may have failed, see `failures`) or `failed` (stopped: see `problem`)',
    }),
    dryRun: z.boolean(),
    layout: z.enum(['rows', 'matrix', 'json']),
    total: z.number().int().meta({ description: 'Records in the file' }),
    processed: z.number().int().meta({ description: 'Records handled so far, in file order' }),
    summary: Counts.meta({
      description:
        'Outcomes of the records handled so far. A record written by a run that crashed before recording its part is counted `unchanged` when the next run finds it.',
    }),
    failures: z
      .array(RecordResultSchema)
      .meta({ description: 'Every failed record so far, with its errors' }),
    problem: z
      .object({
        title: z.string(),
        detail: z.string(),
        errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      })
      .optional()
      .meta({ description: 'Why a `failed` job stopped' }),
    catalogueVersion: z.number().int().optional(),
    attempts: z
      .number()
      .int()
      .meta({ description: 'Runs so far (more than one after a crash or a timeout)' }),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
  })
  .meta({ id: 'ImportJob' })

export const ImportHeaders = z.object({
  prefer: z.string().optional().meta({
    description:
      '`respond-async` (RFC 7240): answer 202 at once and import in the background; poll the `Location`. Not applied to atomic imports, which run synchronously.',
    example: 'respond-async',
  }),
})

export const importInstruments = createRoute({
  method: 'post',
  path: IMPORTS_PATH,
  tags: ['Administration'],
  summary: 'Import instruments from a spreadsheet (CSV) or a JSON array',
  description: [
    'CSV (`text/csv`, UTF-8 with or without BOM, or UTF-16 with BOM; comma-delimited): a header row and one row per instrument.',
    `Columns: ${INPUT_COLUMNS.join(', ')} (lists separated by \`;\`), one column per feature code (\`T1\` ... \`G14\`) where \`Y\` or \`1\` marks the feature, and/or a \`features\` column of codes.`,
    `The export's read-only columns (${READ_ONLY_COLUMNS.join(', ')}) are accepted: \`id\` matches a row without externalId, \`version\` guards against overwriting a newer edit, \`status\` is ignored. Unknown columns are a 400.`,
    "The seed's matrix layout (instruments as columns, one row per feature with `Y`) is recognised too.",
    'Records are matched by `externalId` (a re-import updates, and an unchanged record is not written). The report lists every record with its outcome; failures carry their row and field errors.',
    'Valid records are written even when others fail, unless `atomic=true`.',
    `At most MAX_IMPORT_BYTES (default 5 MiB) and ${MAX_IMPORT_RECORDS.toLocaleString('en')} records per file (413).`,
    'A synchronous import (the default) takes at most SYNC_IMPORT_MAX_ROWS records (default 500), so that it ends, undo included, within the 29 s a request may last; a larger file is a 413 that names the asynchronous way. A dry run takes every size synchronously.',
    'With `Prefer: respond-async` the file is checked (a bad file is a 400 at once), stored, and imported in the background in parts: 202 with `Location: /v1/admin/imports/{id}` and `Preference-Applied: respond-async`; GET that URL until `state` is `succeeded` or `failed`. A crashed or timed-out run is resumed where it stopped, creating nothing twice. An atomic import never runs in the background (its undo must run in the same request): `Prefer` is then ignored, and an atomic file over the synchronous bound is a 413.',
  ].join(' '),
  security: bearerSecurity,
  middleware: [requireRole('admin'), importBodyLimit()] as const,
  request: {
    query: ImportQuery,
    headers: ImportHeaders,
    body: {
      required: true,
      content: {
        'text/csv': { schema: { type: 'string', description: 'The spreadsheet, as CSV' } },
        'application/json': {
          schema: {
            type: 'array',
            items: { $ref: '#/components/schemas/InstrumentInput' },
            description:
              'Instruments as for POST /v1/instruments (optionally with the read-only id and version)',
          },
        },
      },
    },
  },
  responses: {
    200: {
      description: 'The import report (also for a dry run, and when some records failed outside atomic mode)',
      content: { 'application/json': { schema: ImportReportSchema } },
    },
    202: {
      description: 'With `Prefer: respond-async`: the job, queued. Poll its `Location`.',
      headers: {
        Location: { description: 'The job: `/v1/admin/imports/{id}`', schema: { type: 'string' } },
        'Preference-Applied': { description: '`respond-async`', schema: { type: 'string' } },
      },
      content: { 'application/json': { schema: ImportJobSchema } },
    },
    ...problemResponses(400, 401, 403, 409, 413, 415, 422, 503),
  },
})

export const getImportJob = createRoute({
  method: 'get',
  path: `${IMPORTS_PATH}/{id}`,
  tags: ['Administration'],
  summary: 'The state of an asynchronous import',
  description:
    'Progress and outcome of an import submitted with `Prefer: respond-async`. While the job is `queued` or `running` the answer carries `Retry-After` (seconds). Jobs are kept for IMPORT_JOB_RETENTION_DAYS (default 7) after they were submitted; then 404.',
  security: bearerSecurity,
  middleware: [requireRole('admin')] as const,
  request: { params: ImportJobIdParams },
  responses: {
    200: { description: 'The job', content: { 'application/json': { schema: ImportJobSchema } } },
    ...problemResponses(400, 401, 403, 404),
  },
})
