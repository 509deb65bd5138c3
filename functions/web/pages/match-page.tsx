import type { MatchResult } from '../../../shared/catalogue/search'
import { DataTable } from '../components/data-table'
import { FeatureCheckboxes } from '../components/feature-checkboxes'
import { SelectField } from '../components/form-fields'
import { DeadlineText, FeatureTags, Notice } from '../components/instrument-bits'
import { Layout } from '../components/layout'
import { countriesByName, whereLabel } from '../lib/format'

export interface MatchPageProps {
  selected: string[]
  country: string | undefined
  countries: string[]
  /** Absent until the form is submitted with at least one feature. */
  result?: MatchResult | undefined
  errors: Record<string, string[]>
  now: Date
}

/** `/match`: describe a project by its features, get the instruments that cover most of it. */
export function MatchPage({ selected, country, countries, result, errors, now }: MatchPageProps) {
  const countryOptions = countriesByName(country ? [...countries, country] : countries)
  return (
    <Layout title="Describe your project" section="match">
      <h1>Describe your project</h1>
      <p class="lead">
        Tick what your project does and needs. We rank the open instruments by how much of it they cover.
      </p>
      <form method="get" action="/match">
        <div class="search-layout">
          <div class="filters">
            <FeatureCheckboxes
              selected={selected}
              errors={errors.features}
              legend="Your project's features"
            />
          </div>
          <div>
            <div class="filter-row">
              <SelectField
                state={{ values: { country: country ?? '' }, errors }}
                name="country"
                label="Country (optional)"
                hint="International instruments are always included."
                emptyLabel="Any country"
                options={countryOptions.map(({ code, name }) => ({ value: code, label: name }))}
              />
              <button type="submit">Find matching funding</button>
            </div>
            {result ? <MatchResults result={result} requested={selected.length} now={now} /> : null}
          </div>
        </div>
      </form>
    </Layout>
  )
}

function MatchResults({ result, requested, now }: { result: MatchResult; requested: number; now: Date }) {
  if (result.items.length === 0) {
    return (
      <Notice tone="info" title="No instrument covers any of these features">
        <p>Tick more features or choose any country.</p>
      </Notice>
    )
  }
  return (
    <>
      <h2 id="match-heading">
        {result.total} matching {result.total === 1 ? 'instrument' : 'instruments'}
        {result.items.length < result.total ? `, best ${result.items.length} shown` : ''}
      </h2>
      <DataTable
        columns={['Instrument', 'Score', 'Matched', 'Missing', 'Deadline']}
        describedBy="match-heading"
      >
        {result.items.map((item) => (
          <tr>
            <td>
              <a href={`/instruments/${encodeURIComponent(item.instrument.id)}`}>{item.instrument.name}</a>
              <br />
              <span class="muted">
                {item.instrument.funder ? `${item.instrument.funder} · ` : ''}
                {whereLabel(item.instrument)}
              </span>
            </td>
            <td>
              <span class="score">{Math.round(item.score * 100)}%</span>
              <br />
              <span class="muted">
                {item.matched.length} of {requested}
              </span>
            </td>
            <td>
              <FeatureTags codes={item.matched} variant="matched" />
            </td>
            <td>
              <FeatureTags codes={item.missing} variant="missing" />
            </td>
            <td>
              <DeadlineText deadline={item.instrument.deadline} cutOffs={item.instrument.cutOffs} now={now} />
            </td>
          </tr>
        ))}
      </DataTable>
    </>
  )
}
