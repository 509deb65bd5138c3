import { createRoute, z } from '@hono/zod-openapi'
import { INSTRUMENT_KINDS, ORIGINS, STATUSES } from '../../../../shared/catalogue/instrument'
import { MatchItem, SearchQuery } from '../../../../shared/catalogue/search/search-query'
import { DEFAULT_MATRIX_TOP, MAX_MATRIX_TOP } from '../../../../shared/portfolio/portfolio-matrix'
import { Project, ProjectId, ProjectInput } from '../../../../shared/portfolio/project'
import { PROJECT_CSV_LAYOUTS } from '../../../../shared/portfolio/project-csv'
import { requireJson, requireRole } from '../../lib/middleware'
import { bearerSecurity, ETagHeader, problemResponses } from '../../lib/openapi'
import { requireCsv, requireOrganisation } from './require-organisation'

/** Every project route: an editor or admin whose token names an organisation. */
const staffOfAnOrganisation = () => [requireRole('editor'), requireOrganisation()]

const PRIVATE_NOTE =
  " Projects are private to the organisation in your token (`custom:org`): another organisation's project is a 404, as if it did not exist."

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))

const IdParams = z.object({
  id: ProjectId.meta({ param: { name: 'id', in: 'path' }, example: '01jd3x9q4v6n7p8r9s0t1v2w3x' }),
})

const IfMatchHeaders = z.object({
  'if-match': z
    .string()
    .optional()
    .meta({ description: 'The ETag (`"<version>"`) of the version you edited; required', example: '"3"' }),
})

/** The same filters as `POST /v1/match`, as query parameters (lists comma-separated, as in search). */
const matchFilters = {
  origin: SearchQuery.shape.origin,
  country: SearchQuery.shape.country,
  kind: SearchQuery.shape.kind,
}

const ListQuery = z.strictObject({
  limit: wholeNumber(1, 100).default(100).meta({ description: 'Projects per page, 1-100 (default 100)' }),
  cursor: z.string().min(1).max(2000).optional().meta({ description: '`nextCursor` of the previous page' }),
})

const MatchesQuery = z.strictObject({
  ...matchFilters,
  limit: SearchQuery.shape.limit,
})

const MatrixQuery = z.strictObject({
  ...matchFilters,
  top: wholeNumber(1, MAX_MATRIX_TOP)
    .default(DEFAULT_MATRIX_TOP)
    .meta({
      description: `Best instruments kept per project, 1-${MAX_MATRIX_TOP} (default ${DEFAULT_MATRIX_TOP}); the columns are their union`,
    }),
})

const ImportQuery = z.strictObject({
  dryRun: z
    .enum(['true', 'false'], { error: "must be 'true' or 'false'" })
    .default('false')
    .transform((value) => value === 'true')
    .meta({ description: '`true`: report what would change and write nothing' }),
  layout: z
    .enum(['auto', ...PROJECT_CSV_LAYOUTS])
    .default('auto')
    .meta({
      description:
        "`annex`: the seed's Annex 2 matrix (first cell `Project`, one column per project, one row per feature with `Y`); `rows`: one row per project with columns name, features, summary, country, stage, tags; `auto` (default) tells them apart",
    }),
})

const ProjectPage = z
  .object({
    items: z.array(Project),
    nextCursor: z.string().optional().meta({ description: 'Present when there are more projects' }),
  })
  .meta({ id: 'ProjectPage' })

const ProjectMatches = z
  .object({
    project: z.object({ id: z.string(), name: z.string(), features: z.array(z.string()) }),
    items: z.array(MatchItem),
    total: z.number().int().meta({ description: 'Instruments matching at least one feature' }),
  })
  .meta({ id: 'ProjectMatches' })

const FieldMessage = z.object({ path: z.string(), message: z.string() })

const PortfolioMatrix = z
  .object({
    consideredInstruments: z.number().int().meta({ description: 'Live instruments after the filters' }),
    matchingInstruments: z
      .number()
      .int()
      .meta({ description: 'Live instruments that share a feature with at least one project' }),
    projects: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        stage: z.string().optional(),
        features: z.array(z.string()),
        matchingInstruments: z.number().int(),
        best: z
          .array(
            z.object({
              instrumentId: z.string(),
              column: z.number().int().meta({ description: 'Index in `instruments` and in the score rows' }),
              score: z.number(),
              matched: z.array(z.string()),
            }),
          )
          .meta({ description: 'The best instruments for the project, in `POST /v1/match` order' }),
      }),
    ),
    instruments: z
      .array(
        z.object({
          id: z.string(),
          name: z.string(),
          kind: z.enum(INSTRUMENT_KINDS),
          origin: z.enum(ORIGINS),
          country: z.string().optional(),
          funder: z.string().optional(),
          deadline: z.string().optional(),
          status: z.enum(STATUSES),
          url: z.string(),
          features: z.array(z.string()),
          bestFor: z.number().int().meta({ description: 'How many projects have it among their best' }),
        }),
      )
      .meta({ description: 'Columns: every instrument that is among the best of some project' }),
    scores: z.array(z.array(z.number())).meta({
      description:
        "`scores[p][i]`: share of project p's features that instrument i has (0-1, 4 decimals), in the order of `projects` and `instruments`",
    }),
  })
  .meta({ id: 'PortfolioMatrix' })

const ImportResult = z
  .object({
    dryRun: z.boolean(),
    layout: z.enum(['annex', 'rows']),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    projects: z.array(
      z.object({
        source: z.string().meta({ description: 'Where in the file: `column C (SECURVERSE)` or `row 4`' }),
        action: z.enum(['create', 'update', 'unchanged']),
        id: z.string().optional().meta({ description: 'Absent for creations in a dry run' }),
        name: z.string(),
        features: z.array(z.string()),
        stage: z.string().optional(),
        tags: z.array(z.string()).optional(),
      }),
    ),
    warnings: z.array(FieldMessage).meta({ description: 'Cells that were not understood and were left out' }),
  })
  .meta({ id: 'ProjectImportResult' })

const projectResponse = (description: string) => ({
  description,
  headers: ETagHeader,
  content: { 'application/json': { schema: Project } },
})

const jsonBody = { required: true, content: { 'application/json': { schema: ProjectInput } } }

export const listProjects = createRoute({
  method: 'get',
  path: '/v1/projects',
  tags: ['Portfolio'],
  summary: "Your organisation's projects",
  description: `Oldest first, paginated with \`cursor\`.${PRIVATE_NOTE}`,
  security: bearerSecurity,
  middleware: [...staffOfAnOrganisation()] as const,
  request: { query: ListQuery },
  responses: {
    200: { description: 'One page of projects', content: { 'application/json': { schema: ProjectPage } } },
    ...problemResponses(400, 401, 403),
  },
})

export const createProject = createRoute({
  method: 'post',
  path: '/v1/projects',
  tags: ['Portfolio'],
  summary: 'Add a project to your portfolio',
  description: `The project belongs to the organisation in your token.${PRIVATE_NOTE}`,
  security: bearerSecurity,
  middleware: [...staffOfAnOrganisation(), requireJson()] as const,
  request: { body: jsonBody },
  responses: {
    201: {
      ...projectResponse('Created'),
      headers: {
        ...ETagHeader,
        Location: { description: 'URL of the new project', schema: { type: 'string' } },
      },
    },
    ...problemResponses(400, 401, 403, 413, 415),
  },
})

export const projectMatrix = createRoute({
  method: 'get',
  path: '/v1/projects/matrix',
  tags: ['Portfolio'],
  summary: 'All your projects against the catalogue at once',
  description: `Every project of your organisation scored against every live instrument (score = share of the project's features the instrument has), with each project's best \`top\` instruments in \`POST /v1/match\` order. The columns are the union of those best instruments, ordered by how many projects they serve, then best score, then soonest deadline. Filters as in \`POST /v1/match\`.${PRIVATE_NOTE}`,
  security: bearerSecurity,
  middleware: [...staffOfAnOrganisation()] as const,
  request: { query: MatrixQuery },
  responses: {
    200: { description: 'The matrix', content: { 'application/json': { schema: PortfolioMatrix } } },
    ...problemResponses(400, 401, 403),
  },
})

export const projectMatrixCsv = createRoute({
  method: 'get',
  path: '/v1/projects/matrix.csv',
  tags: ['Portfolio'],
  summary: 'The portfolio matrix as CSV',
  description: `The same matrix as \`GET /v1/projects/matrix\`, one row per project: name, id, stage, features, best instruments, then one column per instrument (\`name [id]\`) holding the score, empty when they share no feature.${PRIVATE_NOTE}`,
  security: bearerSecurity,
  middleware: [...staffOfAnOrganisation()] as const,
  request: { query: MatrixQuery },
  responses: {
    200: { description: 'CSV (RFC 4180)', content: { 'text/csv': { schema: z.string() } } },
    ...problemResponses(400, 401, 403),
  },
})

export const importProjects = createRoute({
  method: 'post',
  path: '/v1/projects/imports',
  tags: ['Portfolio'],
  summary: 'Import projects from CSV (Annex 2 layout or one row per project)',
  description: `Send the file as \`text/csv\` (comma, semicolon or tab separated). A project whose name (case-insensitive) is already in your portfolio is updated with the fields the file provides; others are created. All or nothing: any invalid cell is a 400 listing every problem, and nothing is written. At most 100 projects per file. \`dryRun=true\` reports the plan without writing.${PRIVATE_NOTE}`,
  security: bearerSecurity,
  middleware: [...staffOfAnOrganisation(), requireCsv()] as const,
  request: {
    query: ImportQuery,
    body: { required: true, content: { 'text/csv': { schema: z.string() } } },
  },
  responses: {
    200: {
      description: 'What was (or, in a dry run, would be) created, updated and left unchanged',
      content: { 'application/json': { schema: ImportResult } },
    },
    ...problemResponses(400, 401, 403, 409, 413, 415),
  },
})

export const getProject = createRoute({
  method: 'get',
  path: '/v1/projects/{id}',
  tags: ['Portfolio'],
  summary: 'One of your projects',
  description: `Returns the project with its \`ETag\`.${PRIVATE_NOTE}`,
  security: bearerSecurity,
  middleware: [...staffOfAnOrganisation()] as const,
  request: { params: IdParams },
  responses: { 200: projectResponse('The project'), ...problemResponses(400, 401, 403, 404) },
})

export const replaceProject = createRoute({
  method: 'put',
  path: '/v1/projects/{id}',
  tags: ['Portfolio'],
  summary: 'Replace a project',
  description: `Send the whole project with \`If-Match: "<version>"\`; a stale version is a 412.${PRIVATE_NOTE}`,
  security: bearerSecurity,
  middleware: [...staffOfAnOrganisation(), requireJson()] as const,
  request: { params: IdParams, headers: IfMatchHeaders, body: jsonBody },
  responses: {
    200: projectResponse('Updated'),
    ...problemResponses(400, 401, 403, 404, 412, 413, 415, 428),
  },
})

export const deleteProject = createRoute({
  method: 'delete',
  path: '/v1/projects/{id}',
  tags: ['Portfolio'],
  summary: 'Delete a project',
  description: `Needs \`If-Match: "<version>"\`. The project is removed for good.${PRIVATE_NOTE}`,
  security: bearerSecurity,
  middleware: [...staffOfAnOrganisation()] as const,
  request: { params: IdParams, headers: IfMatchHeaders },
  responses: {
    204: { description: 'Deleted' },
    ...problemResponses(400, 401, 403, 404, 412, 428),
  },
})

export const projectMatches = createRoute({
  method: 'get',
  path: '/v1/projects/{id}/matches',
  tags: ['Portfolio'],
  summary: 'Rank the live instruments for one of your projects',
  description: `Exactly \`POST /v1/match\` with the project's features: score, matched and missing codes, ordered by score, then soonest deadline, then name; the same filters (origin, country, kind, limit), as query parameters.${PRIVATE_NOTE}`,
  security: bearerSecurity,
  middleware: [...staffOfAnOrganisation()] as const,
  request: { params: IdParams, query: MatchesQuery },
  responses: {
    200: {
      description: 'The ranked instruments',
      content: { 'application/json': { schema: ProjectMatches } },
    },
    ...problemResponses(400, 401, 403, 404),
  },
})
