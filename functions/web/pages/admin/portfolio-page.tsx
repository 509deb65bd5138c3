import { countryName } from '../../../../shared/catalogue/countries'
import type { MatchItem } from '../../../../shared/catalogue/search/match-instruments'
import type { PortfolioMatrixView } from '../../../../shared/portfolio/portfolio-matrix-export'
import type { ProjectRecord } from '../../../../shared/portfolio/project'
import type { ProjectWatchView } from '../../../../shared/subscriptions/subscription-service'
import { DataTable } from '../../components/data-table'
import { type FieldState, SelectField, TextField } from '../../components/form-fields'
import { DeadlineText, FeatureTags, Notice, StatusBadge } from '../../components/instrument-bits'
import { Layout, type SignedInUser } from '../../components/layout'
import { capitalise, formatDate, whereLabel } from '../../lib/format'

/** How many instruments the on-screen matrix shows as columns; the CSV has them all. */
export const MATRIX_PAGE_COLUMNS = 12

/** Score shading in five steps: a CSS class, never an inline style (the CSP forbids them). */
export function shadeClass(score: number): string {
  if (score <= 0) return 's0'
  if (score <= 0.25) return 's1'
  if (score <= 0.5) return 's2'
  if (score <= 0.75) return 's3'
  return 's4'
}

const percent = (score: number) => `${Math.round(score * 100)}%`

function PortfolioNav({ current }: { current: 'portfolio' | 'project' }) {
  return (
    <nav aria-label="Portfolio" class="actions">
      <a href="/admin/portfolio" aria-current={current === 'portfolio' ? 'page' : undefined}>
        Projects and matrix
      </a>
      <a class="button secondary" href="/admin/portfolio/matrix.csv" download="portfolio-matrix.csv">
        Download the matrix (CSV)
      </a>
    </nav>
  )
}

export interface PortfolioPageProps {
  user: SignedInUser
  org: string
  projects: ProjectRecord[]
  matrix: PortfolioMatrixView
}

export function PortfolioPage({ user, org, projects, matrix }: PortfolioPageProps) {
  const columns = matrix.instruments.slice(0, MATRIX_PAGE_COLUMNS)
  return (
    <Layout title="Project portfolio" section="admin" user={user}>
      <h1>Project portfolio of {org}</h1>
      <p class="lead">
        Your organisation's projects, described by the taxonomy, mapped to the live funding instruments at
        once. Only members of {org} can see them.
      </p>
      <PortfolioNav current="portfolio" />
      <h2>Projects</h2>
      {projects.length === 0 ? (
        <Notice tone="info">
          <p>
            No projects yet. Add them with <code>POST /v1/projects</code>, or import a CSV (the seed's Annex 2
            layout or one row per project) with <code>POST /v1/projects/imports</code>; see the{' '}
            <a href="/docs">API reference</a>.
          </p>
        </Notice>
      ) : (
        <DataTable
          caption={`Projects of ${org}`}
          columns={['Project', 'Stage', 'Features', 'Matching instruments']}
        >
          {matrix.projects.map((project) => (
            <tr>
              <td>
                <a href={`/admin/portfolio/projects/${encodeURIComponent(project.id)}`}>{project.name}</a>
              </td>
              <td>{project.stage ? capitalise(project.stage) : <span class="muted">-</span>}</td>
              <td>
                <FeatureTags codes={project.features} />
              </td>
              <td class="count">{project.matchingInstruments}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {projects.length > 0 ? (
        <section class="matrix" aria-labelledby="matrix-heading">
          <h2 id="matrix-heading">Matrix</h2>
          <p>
            Each cell is the share of the project's features that the instrument has. Columns are the
            instruments among some project's best matches, most shared first ({matrix.matchingInstruments}{' '}
            live instruments match at least one project
            {matrix.instruments.length > columns.length
              ? `; the first ${columns.length} of ${matrix.instruments.length} are shown, the CSV has all`
              : ''}
            ). An outlined cell is one of the project's best.
          </p>
          <ul class="matrix-legend" aria-label="Legend">
            <li>
              <span class="cell s1">1-25%</span>
            </li>
            <li>
              <span class="cell s2">26-50%</span>
            </li>
            <li>
              <span class="cell s3">51-75%</span>
            </li>
            <li>
              <span class="cell s4">76-100%</span>
            </li>
          </ul>
          {columns.length === 0 ? (
            <p>No live instrument shares a feature with these projects.</p>
          ) : (
            <DataTable
              caption="Projects (rows) against their best funding instruments (columns), with scores"
              columns={[
                'Project',
                ...columns.map((instrument) => (
                  <>
                    <a href={`/instruments/${encodeURIComponent(instrument.id)}`}>{instrument.name}</a>
                    <br />
                    <span class="muted">best for {instrument.bestFor}</span>
                  </>
                )),
              ]}
            >
              {matrix.projects.map((project, row) => {
                const best = new Set(project.best.map((entry) => entry.column))
                return (
                  <tr>
                    <th scope="row">
                      <a href={`/admin/portfolio/projects/${encodeURIComponent(project.id)}`}>
                        {project.name}
                      </a>
                    </th>
                    {columns.map((_, column) => {
                      const score = matrix.scores[row]?.[column] ?? 0
                      return (
                        <td class={`cell ${shadeClass(score)}${best.has(column) ? ' best' : ''}`}>
                          {score > 0 ? percent(score) : '-'}
                        </td>
                      )
                    })}
                  </tr>
                )
              })}
            </DataTable>
          )}
        </section>
      ) : null}
    </Layout>
  )
}

export interface ProjectMatchesPageProps {
  user: SignedInUser
  project: ProjectRecord
  items: MatchItem[]
  total: number
  now: Date
  /** The watch form's values and errors (after a refused request); empty on first view. */
  watch?: FieldState
  /** Set once a watch was requested: the confirmation email is on its way. */
  watchRequested?: boolean
  /** Who watches the project (confirmed watches, addresses masked), so that the organisation can end one. */
  watches?: ProjectWatchView[]
  /** Set once a watch was ended from this page. */
  watchEnded?: boolean
}

export function ProjectMatchesPage({
  user,
  project,
  items,
  total,
  now,
  watch = { values: { frequency: 'weekly' }, errors: {} },
  watchRequested = false,
  watches = [],
  watchEnded = false,
}: ProjectMatchesPageProps) {
  return (
    <Layout title={`Funding for ${project.name}`} section="admin" user={user}>
      <h1>Funding for {project.name}</h1>
      <PortfolioNav current="project" />
      {project.summary ? <p class="description">{project.summary}</p> : null}
      <div class="detail">
        <dl>
          <dt>Country</dt>
          <dd>{project.country ? countryName(project.country) : '-'}</dd>
          <dt>Stage</dt>
          <dd>{project.stage ? capitalise(project.stage) : '-'}</dd>
          <dt>Features</dt>
          <dd>
            <FeatureTags codes={project.features} />
          </dd>
          {project.tags?.length ? (
            <>
              <dt>Tags</dt>
              <dd>{project.tags.join(', ')}</dd>
            </>
          ) : null}
        </dl>
      </div>
      <h2>
        {total} matching {total === 1 ? 'instrument' : 'instruments'}
        {total > items.length ? `, the best ${items.length}` : ''}
      </h2>
      <p class="hint">
        {project.country
          ? `Instruments a project in ${countryName(project.country)} can apply to: its national and regional instruments and the international ones.`
          : 'The project names no country: instruments of every country.'}
      </p>
      {items.length === 0 ? (
        <p>No live instrument has any of this project's features.</p>
      ) : (
        <DataTable
          caption={`Instruments ranked for ${project.name}`}
          columns={['Score', 'Instrument', 'Deadline', 'Features']}
        >
          {items.map((item) => (
            <tr>
              <td class="score">{percent(item.score)}</td>
              <td>
                <a href={`/instruments/${encodeURIComponent(item.instrument.id)}`}>{item.instrument.name}</a>
                <br />
                <span class="muted">{whereLabel(item.instrument)}</span>{' '}
                <StatusBadge status={item.instrument.status} />
              </td>
              <td>
                <DeadlineText deadline={item.instrument.deadline} now={now} />
              </td>
              <td>
                <FeatureTags codes={item.matched} variant="matched" />
                <FeatureTags codes={item.missing} variant="missing" />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <h2>Watch this project</h2>
      {watchRequested ? (
        <Notice tone="ok" title="Check your inbox">
          <p>A confirmation email is on its way; the digests start once its link is confirmed.</p>
        </Notice>
      ) : (
        <form
          method="post"
          action={`/admin/portfolio/projects/${encodeURIComponent(project.id)}/watch`}
          class="stack"
        >
          <input type="hidden" name="csrf" value={user.csrfToken} />
          <p class="hint">
            An email when a call newly fits this project's features
            {project.country ? ` (in ${countryName(project.country)} or international)` : ''}, and a week
            before one closes.
          </p>
          <TextField
            state={watch}
            name="email"
            label="Email address"
            type="email"
            required
            autocomplete="email"
          />
          <SelectField
            state={watch}
            name="frequency"
            label="How often"
            options={[
              { value: 'weekly', label: 'Weekly (Mondays, 07:00 Brussels time)' },
              { value: 'daily', label: 'Daily (07:00 Brussels time)' },
            ]}
            required
          />
          <p>
            <button type="submit">Watch this project</button>
          </p>
        </form>
      )}
      <ProjectWatches project={project} user={user} watches={watches} ended={watchEnded} />
    </Layout>
  )
}

/**
 * Who receives digests about the project. A watch outlives its requester's membership of the
 * organisation, so the organisation sees every watch (masked) and can end it; the recipient gets a last note.
 */
function ProjectWatches({
  project,
  user,
  watches,
  ended,
}: {
  project: ProjectRecord
  user: SignedInUser
  watches: ProjectWatchView[]
  ended: boolean
}) {
  return (
    <section aria-labelledby="watches-heading">
      <h2 id="watches-heading">Who watches this project</h2>
      {ended ? (
        <Notice tone="ok" title="Watch ended">
          <p>No more digests are sent for it; a short note tells its recipient so.</p>
        </Notice>
      ) : null}
      {watches.length === 0 ? (
        <p>Nobody watches this project.</p>
      ) : (
        <>
          <p class="hint">
            Addresses are shown masked. A watch is listed once its recipient has confirmed it. End a watch
            when its recipient should no longer hear of this project, for example after leaving your
            organisation; they get a short note saying so.
          </p>
          <DataTable
            caption={`Watches of ${project.name}`}
            columns={['Address', 'How often', 'Confirmed', 'Action']}
          >
            {watches.map((watch) => (
              <tr>
                <td>{watch.email}</td>
                <td>{capitalise(watch.frequency)}</td>
                <td>{formatDate(watch.confirmedAt)}</td>
                <td>
                  <form
                    method="post"
                    action={`/admin/portfolio/projects/${encodeURIComponent(project.id)}/watches/${encodeURIComponent(watch.id)}/end`}
                    data-confirm={`End the watch of ${watch.email}? They get a short note saying so.`}
                  >
                    <input type="hidden" name="csrf" value={user.csrfToken} />
                    <button type="submit" class="danger">
                      End this watch<span class="visually-hidden"> of {watch.email}</span>
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </DataTable>
        </>
      )}
    </section>
  )
}
