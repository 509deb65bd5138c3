import { brusselsFormatter } from '../../../shared/platform/time'
import type { SubscriptionLinkView } from '../../../shared/subscriptions/subscription-service'
import { type FieldState, SelectField, TextField } from '../components/form-fields'
import { Notice } from '../components/instrument-bits'
import { MessagePage } from './message-page'

const FREQUENCY_OPTIONS = [
  { value: 'weekly', label: 'Weekly (Mondays, 07:00 Brussels time)' },
  { value: 'daily', label: 'Daily (07:00 Brussels time)' },
]

/**
 * "Email me new calls like these": the search page links here with its own (valid) parameters. The
 * form posts the search's query string as it is, validated by the same schema as the API's.
 */
export function SubscribePage({
  query,
  description,
  state,
}: {
  query: string
  description: string
  state: FieldState
}) {
  const formErrors = state.errors.form ?? state.errors.query
  return (
    <MessagePage title="Email me new calls like these">
      <p>
        We send you an email when a call newly matches <strong>{description}</strong>, and a reminder a week
        before one of them closes. Nothing is sent when there is nothing new.
      </p>
      {formErrors?.length ? (
        <Notice tone="error" title="This search cannot be saved">
          <ul>
            {formErrors.map((message) => (
              <li>{message}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <form method="post" action="/subscriptions" class="stack">
        <input type="hidden" name="query" value={query} />
        <TextField
          state={state}
          name="email"
          label="Your email address"
          type="email"
          required
          autocomplete="email"
        />
        <SelectField state={state} name="frequency" label="How often" options={FREQUENCY_OPTIONS} required />
        <p class="hint">
          We store only your address, this search, how often, and when you agreed and confirmed. Every email
          has a one-click unsubscribe link, which deletes them.
        </p>
        <p>
          <button type="submit">Send me a confirmation email</button>{' '}
          <a href={query ? `/?${query}` : '/'}>Back to the search</a>
        </p>
      </form>
    </MessagePage>
  )
}

/** After a request: the same answer whether or not the address was already subscribed. */
export function CheckInboxPage() {
  return (
    <MessagePage title="Check your inbox">
      <p>
        If the address can receive our emails, a confirmation email is on its way. Open its link and press the
        button there to start the digests. Unconfirmed requests are forgotten after 7 days.
      </p>
      <p>
        <a href="/">Back to the search</a>
      </p>
    </MessagePage>
  )
}

function Described({ view }: { view: SubscriptionLinkView }) {
  return (
    <p>
      {view.frequency === 'daily' ? 'Daily' : 'Weekly'} digest to <strong>{view.email}</strong> about{' '}
      <a href={view.link.href}>{view.description}</a>.
    </p>
  )
}

/** The confirmation link's page: a GET shows it, only the button's POST confirms (mail scanners follow links). */
export function ConfirmPage({ token, view }: { token: string; view: SubscriptionLinkView }) {
  return (
    <MessagePage title="Confirm your subscription">
      <Described view={view} />
      {view.state === 'confirmed' ? (
        <Notice tone="ok" title="Already confirmed">
          <p>This subscription is active.</p>
        </Notice>
      ) : (
        <form method="post" action={`/subscriptions/confirm?token=${encodeURIComponent(token)}`}>
          <button type="submit">Confirm and start the digests</button>
        </form>
      )}
    </MessagePage>
  )
}

export function ConfirmedPage({ firstDigestAt }: { firstDigestAt: string }) {
  const when = brusselsFormatter({ dateStyle: 'full', timeStyle: 'short' }).format(new Date(firstDigestAt))
  return (
    <MessagePage title="Subscription confirmed">
      <p>Your first digest is due {when} (Brussels time), if there is anything to tell you.</p>
      <p>
        <a href="/">Back to the search</a>
      </p>
    </MessagePage>
  )
}

/**
 * The unsubscribe link's page: a button whose POST unsubscribes (mail clients may POST it directly,
 * RFC 8058), and, for a confirmed subscription, one that keeps it at the other frequency instead.
 */
export function UnsubscribePage({ token, view }: { token: string; view: SubscriptionLinkView }) {
  const query = `token=${encodeURIComponent(token)}`
  const other = view.frequency === 'daily' ? 'weekly' : 'daily'
  return (
    <MessagePage title="Unsubscribe">
      <Described view={view} />
      <form method="post" action={`/subscriptions/unsubscribe?${query}`}>
        <button type="submit">Unsubscribe and delete my data</button>
      </form>
      {view.state === 'confirmed' && (
        <form method="post" action={`/subscriptions/frequency?${query}`}>
          <p>Too many emails, or too few?</p>
          <input type="hidden" name="frequency" value={other} />
          <button type="submit">
            {other === 'weekly' ? 'Send it weekly instead (Mondays)' : 'Send it daily instead'}
          </button>
        </form>
      )}
    </MessagePage>
  )
}

export function FrequencyChangedPage({
  frequency,
  nextDigestAt,
}: {
  frequency: string
  nextDigestAt: string
}) {
  const when = brusselsFormatter({ dateStyle: 'full', timeStyle: 'short' }).format(new Date(nextDigestAt))
  return (
    <MessagePage title={frequency === 'daily' ? 'Daily digest' : 'Weekly digest'}>
      <p>
        From now on this digest is sent {frequency === 'daily' ? 'every day' : 'every Monday'}. The next one
        is due {when} (Brussels time), if there is anything to tell you; it covers everything since the last
        one.
      </p>
      <p>
        <a href="/">Back to the search</a>
      </p>
    </MessagePage>
  )
}

export function UnsubscribedPage() {
  return (
    <MessagePage title="Unsubscribed">
      <p>No more digests will be sent for this subscription, and what we kept for it is deleted.</p>
      <p>
        <a href="/">Back to the search</a>
      </p>
    </MessagePage>
  )
}

/** An unknown, used or expired link: the same page whatever the reason (nothing to enumerate). */
export function LinkNotValidPage() {
  return (
    <MessagePage title="This link is not valid any more">
      <p>
        It may have expired (confirmation links last 7 days), been used already, or the subscription has
        ended. You can save the search again from the search page.
      </p>
      <p>
        <a href="/">Go to the search</a>
      </p>
    </MessagePage>
  )
}
