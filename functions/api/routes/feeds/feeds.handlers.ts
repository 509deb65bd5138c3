import type { Context } from 'hono'
import type { AppEnv, AppRouteHandler } from '../../lib/types'
import {
  ATOM_ENTRIES,
  CALENDAR_EVENTS,
  type deadlinesCalendar,
  type instrumentsAtomFeed,
} from './feeds.routes'

/** The feed writers (feed, ical-generator), loaded by the first feed request rather than by every cold start. */
const feedWriters = () => import('../../../../shared/catalogue/feeds/instrument-feeds')

/** Absolute links for a feed: itself, the site, and the search's query string. */
function feedLinks(c: Context<AppEnv>) {
  const url = new URL(c.req.url)
  return { self: url.toString(), site: url.origin, query: url.searchParams.toString() }
}

export const atom: AppRouteHandler<typeof instrumentsAtomFeed> = async (c) => {
  const { catalogue, clock } = c.var.deps
  const now = clock.now()
  const result = await catalogue.search(
    { ...c.req.valid('query'), sort: 'updated', page: 1, limit: ATOM_ENTRIES },
    now,
  )
  const { instrumentsAtom } = await feedWriters()
  const body = instrumentsAtom(result.items, feedLinks(c), {
    title: 'fundfinder: new funding for your search',
    now,
  })
  c.header('Content-Type', 'application/atom+xml; charset=utf-8')
  c.header('Cache-Control', 'public, max-age=900')
  return c.body(body, 200)
}

export const calendar: AppRouteHandler<typeof deadlinesCalendar> = async (c) => {
  const { catalogue, clock } = c.var.deps
  const now = clock.now()
  const result = await catalogue.search(
    { ...c.req.valid('query'), sort: 'deadline', page: 1, limit: CALENDAR_EVENTS },
    now,
  )
  const { deadlinesCalendar: buildCalendar } = await feedWriters()
  const body = buildCalendar(result.items, feedLinks(c), { title: 'fundfinder deadlines', now })
  c.header('Content-Type', 'text/calendar; charset=utf-8')
  c.header('Content-Disposition', 'inline; filename="deadlines.ics"')
  c.header('Cache-Control', 'public, max-age=900')
  return c.body(body, 200)
}
