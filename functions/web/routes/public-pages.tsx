import { Hono } from 'hono'
import { findPublicInstrument } from '../../../shared/catalogue/public-instrument'
import {
  type CatalogueIndex,
  MatchRequest,
  type MatchResult,
  matchInstruments,
  type SearchCriteria,
  SearchQuery,
  searchCriteria,
  searchInstruments,
  searchQueryFromParams,
} from '../../../shared/catalogue/search'
import { fieldErrors } from '../../api/lib/problem'
import { describeProject } from '../lib/project-description'
import { renderPage } from '../lib/render'
import type { WebEnv } from '../lib/web-env'
import { ClosedPage, DetailPage } from '../pages/detail-page'
import { MatchPage } from '../pages/match-page'
import { MessagePage } from '../pages/message-page'
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
function catalogueCountries(index: CatalogueIndex, now: Date): string[] {
  return Object.keys(searchInstruments(index, searchCriteria({ limit: 1 }), now).facets.country)
}

export const publicPages = new Hono<WebEnv>()
  .get('/', async (c) => {
    const now = c.var.deps.clock.now()
    const { criteria, errors, valid } = parseSearchParams(nonEmptyParams(c.req.url))
    // One snapshot for the whole page: the results and the country list agree, and the catalogue
    // version is read once.
    const index = await c.var.deps.catalogue.current()
    const result = searchInstruments(index, criteria, now)
    const countries = catalogueCountries(index, now)
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
    const found = id.length <= 64 ? await findPublicInstrument(store, id, now) : { found: 'nothing' as const }
    switch (found.found) {
      case 'open':
        return renderPage(c, <DetailPage instrument={found.instrument} now={now} />)
      case 'expired':
        return renderPage(
          c,
          <ClosedPage name={found.instrument.name} deadline={found.instrument.deadline} reason="expired" />,
          { status: 410 },
        )
      case 'archived':
        return renderPage(
          c,
          <ClosedPage
            name={found.archived.instrument.name}
            deadline={found.archived.instrument.deadline}
            reason={found.archived.reason}
          />,
          { status: 410 },
        )
      case 'nothing':
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
  })
  .get('/match', async (c) => {
    const { catalogue, clock } = c.var.deps
    const now = clock.now()
    const params = nonEmptyParams(c.req.url)
    const ticked = params.getAll('features').flatMap((value) => value.split(',').map((code) => code.trim()))
    const country = params.get('country') ?? undefined
    const submitted = new URL(c.req.url).search.length > 1
    const project = describeProject(
      params.get('description') ?? '',
      ticked,
      params.get('action') === 'suggest',
    )
    const selected = project.selected
    const index = await catalogue.current()
    let result: MatchResult | undefined
    let errors: FieldMessages = {}
    if (submitted && selected.length > 0) {
      const parsed = MatchRequest.safeParse({
        features: selected,
        // A project in a country can apply to that country's instruments and to international ones.
        ...(country ? { country, includeInternational: true } : {}),
        limit: 25,
      })
      if (parsed.success) result = matchInstruments(index, parsed.data, now)
      else errors = groupByField(fieldErrors(parsed.error.issues))
    }
    if (project.error) errors.description = [project.error]
    else if (submitted && selected.length === 0) {
      errors.features = [
        project.text
          ? 'No feature was recognised in your description: tick the features of your project.'
          : 'Tick at least one feature of your project, or describe it in a few sentences.',
      ]
    }
    const countries = catalogueCountries(index, now)
    return renderPage(
      c,
      <MatchPage
        selected={selected}
        project={project}
        country={country}
        countries={countries}
        result={result}
        errors={errors}
        now={now}
      />,
      { status: Object.keys(errors).length > 0 ? 400 : 200 },
    )
  })
