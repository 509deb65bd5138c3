import { createRoute, z } from '@hono/zod-openapi'
import { INPUT_COLUMNS, READ_ONLY_COLUMNS } from '../../../../shared/catalogue/csv/layout'
import { requireRole } from '../../lib/middleware'
import { bearerSecurity, problemResponses } from '../../lib/openapi'
import { importBodyLimit } from './import-body'

export const IMPORTS_PATH = '/v1/admin/imports'

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

const RecordResultSchema = z
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
    'At most MAX_IMPORT_BYTES (default 5 MiB) and 10,000 records per request (413).',
  ].join(' '),
  security: bearerSecurity,
  middleware: [requireRole('admin'), importBodyLimit()] as const,
  request: {
    query: ImportQuery,
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
    ...problemResponses(400, 401, 403, 409, 413, 415, 422, 503),
  },
})
