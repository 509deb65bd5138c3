import type { Context } from 'hono'
import { Hono } from 'hono'
import { fieldErrors } from '../../../shared/platform/field-errors'
import { computePortfolioMatrix, DEFAULT_MATRIX_TOP } from '../../../shared/portfolio/portfolio-matrix'
import { portfolioMatrixCsv, portfolioMatrixView } from '../../../shared/portfolio/portfolio-matrix-export'
import { ProjectId } from '../../../shared/portfolio/project'
import { projectMatchFilters } from '../../../shared/portfolio/project-matching'
import { ProjectWatchNotFound } from '../../../shared/subscriptions/errors'
import { ProjectWatchRequest, WatchId } from '../../../shared/subscriptions/subscription'
import { clientAddress } from '../../api/routes/subscriptions/client-address'
import type { FieldState } from '../components/form-fields'
import { readForm, text } from '../lib/form-data'
import { renderPage } from '../lib/render'
import { requireSameOrigin, requireSignIn, userOf } from '../lib/session'
import type { WebEnv } from '../lib/web-env'
import { PortfolioPage, ProjectMatchesPage } from '../pages/admin/portfolio-page'
import { MessagePage } from '../pages/message-page'

const PROJECT_MATCHES_SHOWN = 25

function page(c: Context<WebEnv>, title: string, detail: string, status: 403 | 404) {
  return renderPage(
    c,
    <MessagePage title={title} section="admin">
      <p>{detail}</p>
      <p>
        <a href="/admin/portfolio">Back to the portfolio</a>
      </p>
    </MessagePage>,
    { status, private: true },
  )
}

/** The portfolio of the signed-in user's organisation; `undefined` when the token names none. */
async function portfolioOf(c: Context<WebEnv>) {
  const org = c.var.principal.org
  if (!org) return undefined
  const { projects, catalogue, clock } = c.var.deps
  const [index, records] = await Promise.all([catalogue.current(), projects.listAll(org)])
  records.sort(
    (a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id),
  )
  const now = clock.now()
  return {
    org,
    records,
    now,
    matrix: computePortfolioMatrix(index, records, { top: DEFAULT_MATRIX_TOP }, now),
  }
}

const NO_ORGANISATION =
  'Project portfolios belong to an organisation, and your account names none. Ask an administrator to set your organisation (locally: sign in again and fill in "Organisation").'

/** Another organisation's project, or a malformed id: the same page as one that never existed. */
const projectNotFound = (c: Context<WebEnv>) =>
  page(c, 'Project not found', 'There is no such project in your portfolio.', 404)

/**
 * `/admin/portfolio`: the signed-in organisation's projects, each project's matches and the matrix,
 * read through the same stores and matrix code as `/v1/projects`, scoped by the organisation in the
 * session token. The forms, watching a project and ending a watch of it, are POSTs with the session's
 * CSRF token.
 */
export const portfolioPages = new Hono<WebEnv>()
  .use('/admin/portfolio/*', requireSameOrigin())
  .get('/admin/portfolio', requireSignIn('editor'), async (c) => {
    const portfolio = await portfolioOf(c)
    if (!portfolio) return page(c, 'No organisation', NO_ORGANISATION, 403)
    return renderPage(
      c,
      <PortfolioPage
        user={userOf(c)}
        org={portfolio.org}
        projects={portfolio.records}
        matrix={portfolioMatrixView(portfolio.matrix, portfolio.now)}
      />,
      { private: true },
    )
  })
  .get('/admin/portfolio/matrix.csv', requireSignIn('editor'), async (c) => {
    const portfolio = await portfolioOf(c)
    if (!portfolio) return page(c, 'No organisation', NO_ORGANISATION, 403)
    c.header('Cache-Control', 'no-store')
    c.header('Content-Type', 'text/csv; charset=utf-8')
    c.header('Content-Disposition', 'attachment; filename="portfolio-matrix.csv"')
    return c.body(portfolioMatrixCsv(portfolio.matrix), 200)
  })
  .get('/admin/portfolio/projects/:id', requireSignIn('editor'), (c) => projectPage(c))
  .post('/admin/portfolio/projects/:id/watch', requireSignIn('editor'), async (c) => {
    const org = c.var.principal.org
    if (!org) return page(c, 'No organisation', NO_ORGANISATION, 403)
    // A malformed id (any length) reaches no table key: the same page as an unknown project.
    const projectId = ProjectId.safeParse(c.req.param('id'))
    if (!projectId.success) return projectNotFound(c)
    const form = await readForm(c)
    const values = { email: text(form, 'email'), frequency: text(form, 'frequency') }
    const parsed = ProjectWatchRequest.safeParse(values)
    if (!parsed.success) {
      const errors: Record<string, string[]> = {}
      for (const error of fieldErrors(parsed.error.issues)) {
        errors[error.path] = [...(errors[error.path] ?? []), error.message]
      }
      return projectPage(c, { watch: { values, errors }, status: 400 })
    }
    // Another organisation's project is "not found" here too (the service reads it by org).
    await c.var.deps.subscriptions.requestProjectWatch(org, projectId.data, parsed.data, clientAddress(c))
    return projectPage(c, { watchRequested: true, status: 202 })
  })
  .post('/admin/portfolio/projects/:id/watches/:watchId/end', requireSignIn('editor'), async (c) => {
    const org = c.var.principal.org
    if (!org) return page(c, 'No organisation', NO_ORGANISATION, 403)
    // Ids checked as the API checks them: a malformed one (any length) reaches no table key, and is
    // the same 404 page as an unknown watch.
    const projectId = ProjectId.safeParse(c.req.param('id'))
    const watchId = WatchId.safeParse(c.req.param('watchId'))
    if (!projectId.success || !watchId.success) throw new ProjectWatchNotFound('')
    // Another organisation's project, or a watch that is not this project's: not found (a 404 page).
    await c.var.deps.subscriptions.endProjectWatch(org, projectId.data, watchId.data, c.var.principal.name)
    return projectPage(c, { watchEnded: true })
  })

/** A project's matches and its watch form, for the signed-in user's organisation only. */
async function projectPage(
  c: Context<WebEnv>,
  options: {
    watch?: FieldState
    watchRequested?: boolean
    watchEnded?: boolean
    status?: 200 | 202 | 400
  } = {},
) {
  const org = c.var.principal.org
  if (!org) return page(c, 'No organisation', NO_ORGANISATION, 403)
  const id = ProjectId.safeParse(c.req.param('id'))
  const project = id.success ? await c.var.deps.projects.get(org, id.data) : undefined
  // Another organisation's project is "not found", exactly like one that never existed.
  if (!project) return projectNotFound(c)
  const now = c.var.deps.clock.now()
  // Where the project can be funded (its country and international instruments): what its watch's
  // digests match too, so the page an email links to shows what the email reports.
  const [result, watches] = await Promise.all([
    c.var.deps.catalogue.match(
      { ...projectMatchFilters(project), features: project.features, limit: PROJECT_MATCHES_SHOWN },
      now,
    ),
    c.var.deps.subscriptions.watchesOfProject(org, project),
  ])
  return renderPage(
    c,
    <ProjectMatchesPage
      user={userOf(c)}
      project={project}
      items={result.items}
      total={result.total}
      now={now}
      {...(options.watch ? { watch: options.watch } : {})}
      watchRequested={options.watchRequested ?? false}
      watches={watches}
      watchEnded={options.watchEnded ?? false}
    />,
    { private: true, status: options.status ?? 200 },
  )
}
