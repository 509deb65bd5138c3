import type { MatchResult } from '../../../shared/catalogue/search'
import { DataTable } from '../components/data-table'
import { FeatureCheckboxes } from '../components/feature-checkboxes'
import { FieldErrors, SelectField } from '../components/form-fields'
import { DeadlineText, FeatureTags, Notice, SuggestedFeaturesNote } from '../components/instrument-bits'
import { Layout } from '../components/layout'
import { countriesByName, whereLabel } from '../lib/format'
import { type DescribedProject, MAX_PROJECT_DESCRIPTION } from '../lib/project-description'

export interface MatchPageProps {
  selected: string[]
  /** The project's description and what it suggested. */
  project: DescribedProject
  country: string | undefined
  countries: string[]
  /** Absent until the form is submitted with at least one feature. */
  result?: MatchResult | undefined
  errors: Record<string, string[]>
  now: Date
}

/**
 * `/match`: describe a project in a few sentences (its features are suggested and ticked) or by
 * ticking features directly, and get the instruments that cover most of it. One GET form, so it
 * works without JavaScript and every result has a shareable URL.
 */
export function MatchPage({ selected, project, country, countries, result, errors, now }: MatchPageProps) {
  const countryOptions = countriesByName(country ? [...countries, country] : countries)
  const notes = Object.fromEntries(
    project.suggestions.map((suggestion) => [
      suggestion.code,
      `From your description: ${suggestion.evidence.join(', ')}`,
    ]),
  )
  const descriptionErrors = errors.description
  return (
    <Layout title="Describe your project" section="match">
      <h1>Describe your project</h1>
      <p class="lead">
        Say in a few sentences what your project does and needs, or tick its features. We rank the open
        instruments by how much of it they cover.
      </p>
      <form method="get" action="/match">
        <div class="field">
          <label for="field-description">Describe your project in a few sentences</label>
          <span class="hint" id="description-hint">
            For example: "We build a drone that detects gas leaks with AI and want to test it with a port
            operator." We tick the features your description mentions; you can change them below.
          </span>
          <textarea
            id="field-description"
            name="description"
            maxlength={MAX_PROJECT_DESCRIPTION}
            aria-invalid={descriptionErrors?.length ? 'true' : undefined}
            aria-describedby={`description-hint${descriptionErrors?.length ? ' description-error' : ''}`}
          >
            {project.text}
          </textarea>
          <FieldErrors name="description" errors={descriptionErrors} />
        </div>
        <p>
          <button type="submit" name="action" value="suggest" class="secondary">
            Suggest features from the description
          </button>
        </p>
        {project.text && !project.error ? <SuggestionSummary project={project} /> : null}
        <div class="search-layout">
          <div class="filters">
            <FeatureCheckboxes
              selected={selected}
              notes={notes}
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

/** What the description was found to be about, and the words that show it. */
function SuggestionSummary({ project }: { project: DescribedProject }) {
  if (project.suggestions.length === 0) {
    return (
      <Notice tone="info" title="No feature recognised in your description">
        <p>Add a sentence about what the project builds or needs, or tick its features below.</p>
      </Notice>
    )
  }
  return (
    <section class="notice info" aria-labelledby="suggested-heading">
      <h2 id="suggested-heading">Features your description mentions</h2>
      <p>
        {project.ticked
          ? 'They are ticked below. Untick what does not fit, tick what is missing, then find matching funding again.'
          : 'Your own ticks below are kept; ask for suggestions again to tick these.'}
      </p>
      <ul class="evidence-list">
        {project.suggestions.map((suggestion) => (
          <li>
            <strong>{suggestion.label}</strong> <span class="muted">({suggestion.code})</span>:{' '}
            {suggestion.evidence.map((phrase, index) => [index > 0 ? ', ' : '', <mark>{phrase}</mark>])}
          </li>
        ))}
      </ul>
    </section>
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
              {item.instrument.featureOrigin === 'suggested' ? (
                <>
                  <br />
                  <SuggestedFeaturesNote featureOrigin={item.instrument.featureOrigin} />
                </>
              ) : null}
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
