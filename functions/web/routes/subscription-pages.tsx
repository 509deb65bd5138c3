import { type Context, Hono } from 'hono'
import { SearchQuery, searchQueryFromParams } from '../../../shared/catalogue/search'
import { fieldErrors } from '../../../shared/platform/field-errors'
import {
  describeSearch,
  FREQUENCIES,
  SearchSubscriptionRequest,
} from '../../../shared/subscriptions/subscription'
import {
  CONFIRM_PAGE_PATH,
  type SubscriptionLinkView,
  UNSUBSCRIBE_PAGE_PATH,
} from '../../../shared/subscriptions/subscription-service'
import { isWellFormedToken } from '../../../shared/subscriptions/tokens'
import { clientAddress } from '../../api/routes/subscriptions/client-address'
import type { FieldState } from '../components/form-fields'
import { readForm, text } from '../lib/form-data'
import { renderPage } from '../lib/render'
import { requireSameOrigin } from '../lib/session'
import type { WebEnv } from '../lib/web-env'
import {
  CheckInboxPage,
  ConfirmedPage,
  ConfirmPage,
  FrequencyChangedPage,
  LinkNotValidPage,
  SubscribePage,
  UnsubscribedPage,
  UnsubscribePage,
} from '../pages/subscription-pages'

/** What the saved search says in words; the raw query string when it does not validate. */
function searchDescription(query: string): string {
  const parsed = SearchQuery.safeParse(searchQueryFromParams(new URLSearchParams(query)))
  return parsed.success ? describeSearch(parsed.data) : query || 'every instrument'
}

/** The emailed link's token and what it is for; undefined for a malformed, unknown, used or expired one. */
async function linkOf(
  c: Context<WebEnv>,
): Promise<{ token: string; view: SubscriptionLinkView } | undefined> {
  const token = c.req.query('token') ?? ''
  const view = isWellFormedToken(token) ? await c.var.deps.subscriptions.describe(token) : undefined
  return view ? { token, view } : undefined
}

/** The same 404 page whatever is wrong with the link (nothing to enumerate). */
const linkNotValid = (c: Context<WebEnv>) =>
  renderPage(c, <LinkNotValidPage />, { status: 404, private: true })

function groupErrors(errors: { path: string; message: string }[]): FieldState['errors'] {
  const grouped: Record<string, string[]> = {}
  for (const error of errors) {
    const field = ['email', 'frequency'].includes(error.path) ? error.path : 'form'
    grouped[field] = [...(grouped[field] ?? []), error.message]
  }
  return grouped
}

/**
 * Saving a search from the search page, and the pages behind the links of the emails. A GET never
 * changes anything (mail scanners fetch links); every change is a POST from one of these pages (or
 * a mail client's RFC 8058 one-click POST, handled before this by the API's one-click route).
 */
export const subscriptionPages = new Hono<WebEnv>()
  .use('/subscriptions', requireSameOrigin())
  .use('/subscriptions/*', requireSameOrigin())
  .get('/subscriptions/new', (c) => {
    const query = new URL(c.req.url).search.slice(1)
    return renderPage(
      c,
      <SubscribePage
        query={query}
        description={searchDescription(query)}
        state={{ values: { frequency: 'weekly' }, errors: {} }}
      />,
      { private: true },
    )
  })
  .post('/subscriptions', async (c) => {
    const form = await readForm(c)
    const values = {
      email: text(form, 'email'),
      query: text(form, 'query'),
      frequency: text(form, 'frequency'),
    }
    const parsed = SearchSubscriptionRequest.safeParse(values)
    if (!parsed.success) {
      return renderPage(
        c,
        <SubscribePage
          query={values.query}
          description={searchDescription(values.query)}
          state={{ values, errors: groupErrors(fieldErrors(parsed.error.issues)) }}
        />,
        { status: 400, private: true },
      )
    }
    // Rate limits and mail trouble are problems, rendered as pages by the web router's one mapping.
    await c.var.deps.subscriptions.requestSearchDigest(parsed.data, clientAddress(c))
    return renderPage(c, <CheckInboxPage />, { status: 202, private: true })
  })
  .get(CONFIRM_PAGE_PATH, async (c) => {
    const link = await linkOf(c)
    if (!link) return linkNotValid(c)
    return renderPage(c, <ConfirmPage {...link} />, { private: true })
  })
  .post(CONFIRM_PAGE_PATH, async (c) => {
    const token = c.req.query('token') ?? ''
    if (!isWellFormedToken(token)) return linkNotValid(c)
    const { firstDigestAt } = await c.var.deps.subscriptions.confirm(token)
    return renderPage(c, <ConfirmedPage firstDigestAt={firstDigestAt} />, { private: true })
  })
  .get(UNSUBSCRIBE_PAGE_PATH, async (c) => {
    const link = await linkOf(c)
    if (!link) return linkNotValid(c)
    return renderPage(c, <UnsubscribePage {...link} />, { private: true })
  })
  .post('/subscriptions/frequency', async (c) => {
    const token = c.req.query('token') ?? ''
    const asked = text(await readForm(c), 'frequency')
    const frequency = FREQUENCIES.find((value) => value === asked)
    if (!isWellFormedToken(token)) return linkNotValid(c)
    if (!frequency) return renderPage(c, <LinkNotValidPage />, { status: 400, private: true })
    // An unknown or expired link, or a subscription no longer confirmed: the web router's mapping
    // renders the same "link not valid" page.
    const changed = await c.var.deps.subscriptions.changeFrequency(token, frequency)
    return renderPage(c, <FrequencyChangedPage {...changed} />, { private: true })
  })
  .post(UNSUBSCRIBE_PAGE_PATH, async (c) => {
    const token = c.req.query('token') ?? ''
    if (isWellFormedToken(token)) await c.var.deps.subscriptions.unsubscribe(token)
    return renderPage(c, <UnsubscribedPage />, { private: true })
  })
