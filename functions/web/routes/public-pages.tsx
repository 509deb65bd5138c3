import { Hono } from 'hono'
import { toPublicInstrument } from '../../../shared/catalogue/instrument'
import {
  MatchRequest,
  type MatchResult,
  type SearchCriteria,
  SearchQuery,
  searchCriteria,
  searchQueryFromParams,
} from '../../../shared/catalogue/search'
import { fieldErrors } from '../../api/lib/problem'
import type { AppEnv } from '../../api/lib/types'
import { renderPage } from '../lib/render'
import { ClosedPage, DetailPage, MessagePage } from '../pages/detail-page'
import { MatchPage } from '../pages/match-page'
import { SearchPage } from '../pages/search-page'

type FieldMessages = Record<string, string[]>

/** The URL's parameters without empty values: an untouched select or text box means "any". */
function nonEmptyParams(url: string): URLSearchParams {
  const params = new URLSearchParams()
  for (const [key, value] of new URL(url).searchParams) if (value.trim() !== '') params.append(key, value)
  return params
}

function groupByField(errors: { path: string; message: string }[]): FieldMessages {
  const grouped: FieldMessages = {}
  for (const error of errors) {
    const field = error.path.split('.')[0] || 'form'
    const messages = grouped[field] ?? []
    grouped[field] = messages
    if (!messages.includes(error.message)) messages.push(error.message)
  }
  return grouped
}

/**
 * Parses the page's URL with the API's own `SearchQuery`. Invalid parameters are reported next to
 * their fields and left out, so the page still shows results for the rest.
 */
export function parseSearchParams(params: URLSearchParams): {
  criteria: SearchCriteria
  errors: FieldMessages
  valid: URLSearchParams
} {
  const first = SearchQuery.safeParse(searchQueryFromParams(params))
  if (first.success) return { criteria: first.data as SearchCriteria, errors: {}, valid: params }
  const errors = groupByField(fieldErrors(first.error.issues))
  const valid = new URLSearchParams()
  for (const [key, value] of params) if (!(key in errors)) valid.append(key, value)
  const second = SearchQuery.safeParse(searchQueryFromParams(valid))
  return {
    criteria: second.success ? (second.data as SearchCriteria) : searchCriteria(),
    errors,
    valid: second.success ? valid : new URLSearchParams(),
  }
}

/** Countries that have at least one live instrument, for the country selects. */
async function catalogueCountries(c: { var: AppEnv['Variables'] }, now: Date): Promise<string[]> {
  const everything = await c.var.deps.catalogue.search(searchCriteria({ limit: 1 }), now)
  return Object.keys(everything.facets.country)
}

export const publicPages = new Hono<AppEnv>()
  .get('/', async (c) => {
    const now = c.var.deps.clock.now()
    const { criteria, errors, valid } = parseSearchParams(nonEmptyParams(c.req.url))
    const [result, countries] = await Promise.all([
      c.var.deps.catalogue.search(criteria, now),
      catalogueCountries(c, now),
    ])
    const params = new URLSearchParams(valid)
    params.delete('page')
    const status = Object.keys(errors).length > 0 ? 400 : 200
    return renderPage(
      c,
      <SearchPage
        criteria={criteria}
        result={result}
        countries={countries}
        params={params}
        errors={errors}
        now={now}
      />,
      { status },
    )
  })
  .get('/instruments/:id', async (c) => {
    const { store, clock } = c.var.deps
    const id = c.req.param('id')
    const now = clock.now()
    const record = id.length <= 64 ? await store.get(id) : undefined
    if (!record) {
      const archived = id.length <= 64 ? await store.getArchived(id) : undefined
      if (archived) {
        return renderPage(
          c,
          <ClosedPage
            name={archived.instrument.name}
            deadline={archived.instrument.deadline}
            reason={archived.reason}
          />,
          { status: 410 },
        )
      }
      return renderPage(
        c,
        <MessagePage title="Instrument not found" section="search">
          <p>
            There is no instrument at this address. <a href="/">Search the catalogue</a>
          </p>
        </MessagePage>,
        { status: 404 },
      )
    }
    const instrument = toPublicInstrument(record, now)
    if (instrument.status === 'expired') {
      return renderPage(
        c,
        <ClosedPage name={instrument.name} deadline={instrument.deadline} reason="expired" />,
        {
          status: 410,
        },
      )
    }
    return renderPage(c, <DetailPage instrument={instrument} now={now} />)
  })
  .get('/match', async (c) => {
    const { catalogue, clock } = c.var.deps
    const now = clock.now()
    const params = nonEmptyParams(c.req.url)
    const selected = params.getAll('features').flatMap((value) => value.split(',').map((code) => code.trim()))
    const country = params.get('country') ?? undefined
    const submitted = new URL(c.req.url).search.length > 1
    let result: MatchResult | undefined
    let errors: FieldMessages = {}
    if (submitted) {
      const parsed = MatchRequest.safeParse({
        features: selected,
        // A project in a country can apply to that country's instruments and to international ones.
        ...(country ? { country, includeInternational: true } : {}),
        limit: 25,
      })
      if (parsed.success)
        result = await catalogue.match(parsed.data as Parameters<typeof catalogue.match>[0], now)
      else errors = groupByField(fieldErrors(parsed.error.issues))
      if (selected.length === 0) errors.features = ['Tick at least one feature of your project.']
    }
    const countries = await catalogueCountries(c, now)
    return renderPage(
      c,
      <MatchPage
        selected={selected}
        country={country}
        countries={countries}
        result={result}
        errors={errors}
        now={now}
      />,
      { status: Object.keys(errors).length > 0 ? 400 : 200 },
    )
  })
