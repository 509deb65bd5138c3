import { INSTRUMENT_KINDS, ORIGINS } from '../../../shared/catalogue/instrument'
import type { SearchCriteria, SearchResult } from '../../../shared/catalogue/search'
import { DataTable } from '../components/data-table'
import { FeatureCheckboxes } from '../components/feature-checkboxes'
import { FieldErrors, type FieldState, SelectField, TextField } from '../components/form-fields'
import { DeadlineText, FeatureTags, Notice, SuggestedFeaturesNote } from '../components/instrument-bits'
import { Layout } from '../components/layout'
import { Pagination } from '../components/pagination'
import { capitalise, countriesByName, whereLabel } from '../lib/format'

export const PAGE_SIZES = [10, 25, 50, 100] as const
export const CLOSING_WITHIN_CHOICES = [7, 30, 90] as const
const SORT_LABELS: Record<SearchCriteria['sort'], string> = {
  relevance: 'Best match',
  deadline: 'Deadline, soonest first',
  name: 'Name, A to Z',
  updated: 'Recently updated',
}

export interface SearchPageProps {
  criteria: SearchCriteria
  result: SearchResult
  /** Country codes present in the catalogue, for the country select. */
  countries: string[]
  /** The URL's parameters (without `page`), for pagination links. */
  params: URLSearchParams
  errors: Record<string, string[]>
  now: Date
}

/** `/`: the search form (a GET form whose fields are the API's parameters) and the results. */
export function SearchPage({ criteria, result, countries, params, errors, now }: SearchPageProps) {
  const selectedCountry = criteria.country?.[0]
  const countryOptions = countriesByName(selectedCountry ? [...countries, selectedCountry] : countries)
  const requested = criteria.features ?? []
  const errorCount = Object.values(errors).reduce((sum, list) => sum + list.length, 0)
  const fields: FieldState = {
    values: {
      origin: criteria.origin?.[0] ?? '',
      country: selectedCountry ?? '',
      kind: criteria.kind?.[0] ?? '',
      closingWithin: criteria.closingWithin?.toString() ?? '',
      deadlineFrom: criteria.deadlineFrom ?? '',
      deadlineTo: criteria.deadlineTo ?? '',
      sort: criteria.sort,
      limit: String(criteria.limit),
    },
    errors,
  }
  return (
    <Layout title="Find funding" section="search">
      <h1>Find public funding for your project</h1>
      <p class="lead">
        Tick the features of your project, narrow by where and when, and open an instrument for the details.
      </p>
      {errorCount > 0 ? (
        <Notice tone="error" title="Some filters were not understood">
          <p>They are marked below and were left out of the search.</p>
          {errors.form?.length ? <p>{errors.form.join(' ')}</p> : null}
        </Notice>
      ) : null}
      <form method="get" action="/" data-autosubmit="" aria-label="Search instruments">
        <div class="query-box">
          <label for="search-q" class="visually-hidden">
            Words in the name, description, funder or programme
          </label>
          <input
            id="search-q"
            type="search"
            name="q"
            value={criteria.q ?? ''}
            placeholder="Words in the name, description, funder or programme"
            aria-invalid={errors.q?.length ? 'true' : undefined}
            aria-describedby={errors.q?.length ? 'q-error' : undefined}
          />
          <button type="submit">Search</button>
        </div>
        <FieldErrors name="q" errors={errors.q} />
        <div class="search-layout">
          <div class="filters">
            <fieldset>
              <legend>Instruments with</legend>
              <div class="inline-choices">
                <label>
                  <input type="radio" name="match" value="any" checked={criteria.match === 'any'} />
                  any ticked feature
                </label>
                <label>
                  <input type="radio" name="match" value="all" checked={criteria.match === 'all'} />
                  all ticked features
                </label>
              </div>
            </fieldset>
            <FeatureCheckboxes
              selected={requested}
              counts={result.facets.features}
              errors={errors.features}
            />
          </div>
          <div>
            <div class="filter-row">
              <SelectField
                state={fields}
                name="origin"
                label="Origin"
                emptyLabel="Any origin"
                options={ORIGINS.map((origin) => ({ value: origin, label: capitalise(origin) }))}
              />
              <SelectField
                state={fields}
                name="country"
                label="Country"
                emptyLabel="Any country"
                options={countryOptions.map(({ code, name }) => ({ value: code, label: name }))}
              />
              <SelectField
                state={fields}
                name="kind"
                label="Kind"
                emptyLabel="Any kind"
                options={INSTRUMENT_KINDS.map((kind) => ({ value: kind, label: capitalise(kind) }))}
              />
              <SelectField
                state={fields}
                name="closingWithin"
                label="Closing"
                emptyLabel="Any time"
                options={CLOSING_WITHIN_CHOICES.map((days) => ({
                  value: String(days),
                  label: `Within ${days} days`,
                }))}
              />
              <TextField state={fields} name="deadlineFrom" label="Deadline from" type="date" />
              <TextField state={fields} name="deadlineTo" label="Deadline to" type="date" />
            </div>
            <div class="summary">
              <h2 id="results-heading">
                {result.total} {result.total === 1 ? 'instrument' : 'instruments'} found
              </h2>
              <div class="filter-row">
                <SelectField
                  state={fields}
                  name="sort"
                  label="Sort by"
                  options={Object.entries(SORT_LABELS).map(([value, label]) => ({ value, label }))}
                />
                <SelectField
                  state={fields}
                  name="limit"
                  label="Items per page"
                  options={PAGE_SIZES.map((size) => ({ value: String(size), label: String(size) }))}
                />
                <button type="submit" class="secondary no-js-only">
                  Apply
                </button>
              </div>
            </div>
            <FieldErrors name="page" errors={errors.page} />
            {result.items.length === 0 ? (
              <Notice tone="info" title="No instruments match these filters">
                <p>
                  Try loosening them: untick a feature
                  {criteria.match === 'all' ? ', switch to "any ticked feature"' : ''}, choose any country or
                  origin, or widen the deadline. <a href="/">Clear all filters</a>
                </p>
              </Notice>
            ) : (
              <ResultsTable result={result} requested={requested} now={now} />
            )}
            <Pagination
              basePath="/"
              params={params}
              page={result.page}
              limit={result.limit}
              total={result.total}
            />
            <SubscribeLinks params={params} />
          </div>
        </div>
      </form>
    </Layout>
  )
}

/** Feeds and export of the current search: the API takes the page's own (valid) parameters. */
function SubscribeLinks({ params }: { params: URLSearchParams }) {
  const query = params.toString()
  const withQuery = (path: string) => (query ? `${path}?${query}` : path)
  return (
    <p class="subscribe">
      Subscribe to this search:{' '}
      <a href={withQuery('/v1/feeds/instruments.atom')} type="application/atom+xml">
        new instruments (Atom feed)
      </a>
      {' · '}
      <a href={withQuery('/v1/feeds/deadlines.ics')} type="text/calendar">
        deadlines (calendar, iCalendar)
      </a>
      {' · '}
      <a href={withQuery('/v1/exports/instruments.csv')} download="instruments.csv">
        Export CSV
      </a>
      {' · '}
      <a href={withQuery('/subscriptions/new')}>Email me new calls like these</a>
    </p>
  )
}

function ResultsTable({
  result,
  requested,
  now,
}: {
  result: SearchResult
  requested: readonly string[]
  now: Date
}) {
  return (
    <DataTable
      columns={[
        'Name',
        'Funder',
        'Origin',
        'Country',
        'Deadline',
        requested.length > 0 ? 'Matched features' : 'Features',
      ]}
      describedBy="results-heading"
    >
      {result.items.map((item) => (
        <tr>
          <td>
            <a href={`/instruments/${encodeURIComponent(item.id)}`}>{item.name}</a>
            <br />
            <span class="muted">{capitalise(item.kind)}</span>
          </td>
          <td>{item.funder ?? <span class="muted">not stated</span>}</td>
          <td>{capitalise(item.origin)}</td>
          <td>
            {item.origin === 'international' ? <span class="muted">International</span> : whereLabel(item)}
          </td>
          <td>
            <DeadlineText deadline={item.deadline} cutOffs={item.cutOffs} now={now} />
          </td>
          <td>
            {requested.length > 0 ? (
              <>
                <span class="muted">
                  {item.matchedFeatures?.length ?? 0} of {requested.length}
                </span>
                <br />
                <FeatureTags codes={item.matchedFeatures ?? []} variant="matched" />
              </>
            ) : (
              <FeatureTags codes={item.features.slice(0, 4)} />
            )}
            {requested.length === 0 && item.features.length > 4 ? (
              <span class="muted"> +{item.features.length - 4} more</span>
            ) : null}
            {item.featureOrigin === 'suggested' ? (
              <>
                <br />
                <SuggestedFeaturesNote featureOrigin={item.featureOrigin} />
              </>
            ) : null}
          </td>
        </tr>
      ))}
    </DataTable>
  )
}
