import { INSTRUMENT_KINDS, ORIGINS } from '../../../shared/catalogue/instrument'
import type { SearchCriteria, SearchResult } from '../../../shared/catalogue/search'
import { FeatureCheckboxes } from '../components/feature-checkboxes'
import { FieldErrors } from '../components/form-fields'
import { DeadlineText, FeatureTags, Notice } from '../components/instrument-bits'
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

function Select({
  name,
  label,
  value,
  options,
  errors,
}: {
  name: string
  label: string
  value: string | undefined
  options: { value: string; label: string }[]
  errors?: string[] | undefined
}) {
  return (
    <div class="field">
      <label for={`search-${name}`}>{label}</label>
      <select
        id={`search-${name}`}
        name={name}
        aria-invalid={errors?.length ? 'true' : undefined}
        aria-describedby={errors?.length ? `${name}-error` : undefined}
      >
        {options.map((option) => (
          <option value={option.value} selected={option.value === (value ?? '')}>
            {option.label}
          </option>
        ))}
      </select>
      <FieldErrors name={name} errors={errors} />
    </div>
  )
}

function DateInput({
  name,
  label,
  value,
  errors,
}: {
  name: string
  label: string
  value: string | undefined
  errors?: string[] | undefined
}) {
  return (
    <div class="field">
      <label for={`search-${name}`}>{label}</label>
      <input
        id={`search-${name}`}
        type="date"
        name={name}
        value={value ?? ''}
        aria-invalid={errors?.length ? 'true' : undefined}
        aria-describedby={errors?.length ? `${name}-error` : undefined}
      />
      <FieldErrors name={name} errors={errors} />
    </div>
  )
}

/** `/`: the search form (a GET form whose fields are the API's parameters) and the results. */
export function SearchPage({ criteria, result, countries, params, errors, now }: SearchPageProps) {
  const selectedCountry = criteria.country?.[0]
  const countryOptions = countriesByName(selectedCountry ? [...countries, selectedCountry] : countries)
  const requested = criteria.features ?? []
  const errorCount = Object.values(errors).reduce((sum, list) => sum + list.length, 0)
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
              <Select
                name="origin"
                label="Origin"
                value={criteria.origin?.[0]}
                errors={errors.origin}
                options={[
                  { value: '', label: 'Any origin' },
                  ...ORIGINS.map((origin) => ({ value: origin, label: capitalise(origin) })),
                ]}
              />
              <Select
                name="country"
                label="Country"
                value={selectedCountry}
                errors={errors.country}
                options={[
                  { value: '', label: 'Any country' },
                  ...countryOptions.map(({ code, name }) => ({ value: code, label: name })),
                ]}
              />
              <Select
                name="kind"
                label="Kind"
                value={criteria.kind?.[0]}
                errors={errors.kind}
                options={[
                  { value: '', label: 'Any kind' },
                  ...INSTRUMENT_KINDS.map((kind) => ({ value: kind, label: capitalise(kind) })),
                ]}
              />
              <Select
                name="closingWithin"
                label="Closing"
                value={criteria.closingWithin?.toString()}
                errors={errors.closingWithin}
                options={[
                  { value: '', label: 'Any time' },
                  ...CLOSING_WITHIN_CHOICES.map((days) => ({
                    value: String(days),
                    label: `Within ${days} days`,
                  })),
                ]}
              />
              <DateInput
                name="deadlineFrom"
                label="Deadline from"
                value={criteria.deadlineFrom}
                errors={errors.deadlineFrom}
              />
              <DateInput
                name="deadlineTo"
                label="Deadline to"
                value={criteria.deadlineTo}
                errors={errors.deadlineTo}
              />
            </div>
            <div class="summary">
              <h2 id="results-heading">
                {result.total} {result.total === 1 ? 'instrument' : 'instruments'} found
              </h2>
              <div class="filter-row">
                <Select
                  name="sort"
                  label="Sort by"
                  value={criteria.sort}
                  errors={errors.sort}
                  options={Object.entries(SORT_LABELS).map(([value, label]) => ({ value, label }))}
                />
                <Select
                  name="limit"
                  label="Items per page"
                  value={String(criteria.limit)}
                  errors={errors.limit}
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
    <div class="table-wrap">
      <table aria-describedby="results-heading">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Funder</th>
            <th scope="col">Origin</th>
            <th scope="col">Country</th>
            <th scope="col">Deadline</th>
            <th scope="col">{requested.length > 0 ? 'Matched features' : 'Features'}</th>
          </tr>
        </thead>
        <tbody>
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
                {item.origin === 'international' ? (
                  <span class="muted">International</span>
                ) : (
                  whereLabel(item)
                )}
              </td>
              <td>
                <DeadlineText deadline={item.deadline} now={now} />
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
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
