import { createRoute, z } from '@hono/zod-openapi'
import { SearchQuery } from '../../../../shared/catalogue/search/search-query'
import { problemResponses } from '../../lib/openapi'

/** Entries in the Atom feed: the newest matching instruments. */
export const ATOM_ENTRIES = 50
/**
 * Events in the calendar: the soonest deadlines. A calendar of thousands of events helps no one,
 * and ical-generator's line folding costs about 1 ms of CPU per event.
 */
export const CALENDAR_EVENTS = 500

export const instrumentsAtomFeed = createRoute({
  method: 'get',
  path: '/v1/feeds/instruments.atom',
  tags: ['Catalogue'],
  summary: 'Atom feed of a search: the newest matching instruments',
  description: `Takes the search parameters of \`GET /v1/instruments\` (\`sort\`, \`page\` and \`limit\` are accepted and ignored) and returns the ${ATOM_ENTRIES} most recently added or changed matching instruments as Atom 1.0, so a feed reader tells you when a new call fits your search. Each entry links to the instrument's page; its content links to the official information.`,
  request: { query: SearchQuery },
  responses: {
    200: {
      description: 'Atom 1.0 feed',
      content: { 'application/atom+xml': { schema: z.string() } },
    },
    ...problemResponses(400),
  },
})

export const deadlinesCalendar = createRoute({
  method: 'get',
  path: '/v1/feeds/deadlines.ics',
  tags: ['Catalogue'],
  summary: 'iCalendar of a search: one event per deadline',
  description: `Takes the search parameters of \`GET /v1/instruments\` (\`sort\`, \`page\` and \`limit\` are accepted and ignored) and returns the deadlines of the matching instruments (up to the ${CALENDAR_EVENTS} soonest; open-ended instruments have none) as iCalendar: a date-only deadline is an all-day event on that date (it closes at the end of that day, Europe/Brussels), a date-time deadline a timed event at that instant. A multiple cut-off call has one event per cut-off. UIDs are stable (\`<id>@fundfinder\` for the deadline, \`<id>-cutoff-<n>@fundfinder\` for the n-th earlier cut-off), so a moved deadline moves its event. Subscribe to the URL in a calendar to be reminded before calls close.`,
  request: { query: SearchQuery },
  responses: {
    200: {
      description: 'iCalendar (RFC 5545)',
      content: { 'text/calendar': { schema: z.string() } },
    },
    ...problemResponses(400),
  },
})
