import { computePortfolioMatrix, type MatrixOptions } from '../../../../shared/portfolio/portfolio-matrix'
import { portfolioMatrixCsv, portfolioMatrixView } from '../../../../shared/portfolio/portfolio-matrix-export'
import { ProjectNotFound } from '../../../../shared/portfolio/project-errors'
import { planProjectImport } from '../../../../shared/portfolio/project-import'
import { etag, expectedVersion } from '../../lib/etag'
import type { AppDeps, AppRouteHandler } from '../../lib/types'
import type {
  createProject,
  deleteProject,
  getProject,
  importProjects,
  listProjects,
  projectMatches,
  projectMatrix,
  projectMatrixCsv,
  replaceProject,
} from './projects.routes'
import { organisationOf } from './require-organisation'

/** Project data is one organisation's business: never kept by shared caches. */
const PRIVATE = 'private, no-store'

export const list: AppRouteHandler<typeof listProjects> = async (c) => {
  const { limit, cursor } = c.req.valid('query')
  const page = await c.var.deps.projects.list(organisationOf(c), { limit, cursor })
  c.header('Cache-Control', PRIVATE)
  return c.json({ items: page.items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }, 200)
}

export const create: AppRouteHandler<typeof createProject> = async (c) => {
  const { projects, clock } = c.var.deps
  const record = await projects.create(
    organisationOf(c),
    c.req.valid('json'),
    c.var.principal.name,
    clock.now(),
  )
  c.header('Location', `/v1/projects/${record.id}`)
  c.header('ETag', etag(record.version))
  c.header('Cache-Control', PRIVATE)
  return c.json(record, 201)
}

export const get: AppRouteHandler<typeof getProject> = async (c) => {
  const { id } = c.req.valid('param')
  const record = await c.var.deps.projects.get(organisationOf(c), id)
  if (!record) throw new ProjectNotFound(id)
  c.header('ETag', etag(record.version))
  c.header('Cache-Control', PRIVATE)
  return c.json(record, 200)
}

export const replace: AppRouteHandler<typeof replaceProject> = async (c) => {
  const { projects, clock } = c.var.deps
  const { id } = c.req.valid('param')
  const version = expectedVersion(c.req.valid('header')['if-match'])
  const record = await projects.replace(
    organisationOf(c),
    id,
    c.req.valid('json'),
    version,
    c.var.principal.name,
    clock.now(),
  )
  c.header('ETag', etag(record.version))
  c.header('Cache-Control', PRIVATE)
  return c.json(record, 200)
}

export const remove: AppRouteHandler<typeof deleteProject> = async (c) => {
  const { id } = c.req.valid('param')
  const version = expectedVersion(c.req.valid('header')['if-match'])
  await c.var.deps.projects.delete(organisationOf(c), id, version)
  return c.body(null, 204)
}

export const matches: AppRouteHandler<typeof projectMatches> = async (c) => {
  const { projects, catalogue, clock } = c.var.deps
  const { id } = c.req.valid('param')
  const project = await projects.get(organisationOf(c), id)
  if (!project) throw new ProjectNotFound(id)
  // The very request POST /v1/match serves, with the project's features: equal by construction.
  const result = await catalogue.match({ ...c.req.valid('query'), features: project.features }, clock.now())
  c.header('Cache-Control', PRIVATE)
  return c.json(
    { project: { id: project.id, name: project.name, features: project.features }, ...result },
    200,
  )
}

async function buildMatrix(deps: AppDeps, org: string, options: MatrixOptions) {
  const [index, records] = await Promise.all([deps.catalogue.current(), deps.projects.listAll(org)])
  records.sort(
    (a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id),
  )
  const now = deps.clock.now()
  return { matrix: computePortfolioMatrix(index, records, options, now), now }
}

export const matrix: AppRouteHandler<typeof projectMatrix> = async (c) => {
  const { matrix, now } = await buildMatrix(c.var.deps, organisationOf(c), c.req.valid('query'))
  c.header('Cache-Control', PRIVATE)
  return c.json(portfolioMatrixView(matrix, now), 200)
}

export const matrixCsv: AppRouteHandler<typeof projectMatrixCsv> = async (c) => {
  const { matrix } = await buildMatrix(c.var.deps, organisationOf(c), c.req.valid('query'))
  c.header('Cache-Control', PRIVATE)
  c.header('Content-Type', 'text/csv; charset=utf-8')
  c.header('Content-Disposition', 'attachment; filename="portfolio-matrix.csv"')
  return c.body(portfolioMatrixCsv(matrix), 200)
}

export const importCsv: AppRouteHandler<typeof importProjects> = async (c) => {
  const { projects, clock } = c.var.deps
  const { dryRun, layout } = c.req.valid('query')
  const org = organisationOf(c)
  // The CSV reader (csv-parse) is loaded by the first import, not by every cold start.
  const { parseProjectCsv } = await import('../../../../shared/portfolio/project-csv')
  const parsed = parseProjectCsv(await c.req.text(), layout)
  const plan = planProjectImport(await projects.listAll(org), parsed)
  const written = dryRun
    ? []
    : await projects.applyImport(org, plan.writes, c.var.principal.name, clock.now())
  // Writes are in plan order, skipping unchanged projects: hand the new ids back to their rows.
  const createdIds = written.filter((_, index) => plan.writes[index]?.action === 'create').map((r) => r.id)
  let nextCreated = 0
  const count = (action: string) => plan.projects.filter((project) => project.action === action).length
  c.header('Cache-Control', PRIVATE)
  return c.json(
    {
      dryRun,
      layout: parsed.layout,
      created: count('create'),
      updated: count('update'),
      unchanged: count('unchanged'),
      projects: plan.projects.map((project) => {
        const id = project.action === 'create' ? createdIds[nextCreated++] : project.id
        return {
          source: project.source,
          action: project.action,
          ...(id ? { id } : {}),
          name: project.input.name,
          features: project.input.features,
          ...(project.input.stage ? { stage: project.input.stage } : {}),
          ...(project.input.tags ? { tags: project.input.tags } : {}),
        }
      }),
      warnings: parsed.warnings,
    },
    200,
  )
}
