import { onTestFinished } from 'vitest'
import type { InstrumentRecord } from '../../shared/catalogue/instrument'
import { sendDigests } from '../../shared/subscriptions/digest/send-digests'
import { CONFIRM_PAGE_PATH, UNSUBSCRIBE_PAGE_PATH } from '../../shared/subscriptions/subscription-service'
import { createTestContext } from '../support/context'
import { type InstrumentBody, instrumentInput } from '../support/factories'
import { type ReceivedMail, startTestMailServer, type TestMailServerOptions } from '../support/mail-server'

export const BASE_URL = 'https://fundfinder.example'

/**
 * A test context whose mail goes to a real SMTP server in the test process, with the links of the
 * emails on `BASE_URL`, and helpers to subscribe, follow links and run the digest job.
 */
export async function subscriptionContext(
  options: { now?: string; mail?: TestMailServerOptions; env?: Record<string, string> } = {},
) {
  const mail = await startTestMailServer(options.mail)
  onTestFinished(() => mail.close())
  const t = await createTestContext({
    ...(options.now ? { now: options.now } : {}),
    env: {
      SMTP_URL: mail.url,
      PUBLIC_BASE_URL: BASE_URL,
      MAIL_FROM: 'fundfinder digests <digests@fundfinder.example>',
      MAIL_REPLY_TO: 'help@fundfinder.example',
      ...options.env,
    },
  })
  onTestFinished(() => t.deps.mailer.close())

  const subscribe = (body: unknown, headers: Record<string, string> = {}) =>
    t.call('POST', '/v1/subscriptions', { body, headers })

  /** A request as API Gateway passes it in Lambda: from a client with this source IP. */
  const requestFrom = async (sourceIp: string, method: string, path: string, body?: unknown) => {
    const response = await t.app.request(
      path,
      {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      { requestContext: { http: { sourceIp } } },
    )
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: text ? JSON.parse(text) : undefined,
    }
  }

  /** Subscribes, confirms through the API with the emailed link, and returns the confirmation email. */
  const subscribeConfirmed = async (body: {
    email: string
    query: string
    frequency: 'daily' | 'weekly'
  }) => {
    const before = mail.messages.length
    const requested = await subscribe(body)
    if (requested.status !== 202) throw new Error(`subscribe: ${requested.status} ${requested.text}`)
    const [confirmation] = await mail.waitFor(before + 1).then((all) => all.slice(before))
    const token = linkToken(confirmation as ReceivedMail, CONFIRM_PAGE_PATH)
    const confirmed = await t.call('POST', '/v1/subscriptions/confirm', { body: { token } })
    if (confirmed.status !== 200) throw new Error(`confirm: ${confirmed.status} ${confirmed.text}`)
    return { confirmation: confirmation as ReceivedMail, token, firstDigestAt: confirmed.json.firstDigestAt }
  }

  const createInstrument = async (overrides: Partial<InstrumentBody> = {}): Promise<InstrumentRecord> =>
    t.store.create(instrumentInput(overrides), 'editor', t.clock.now())

  /** Runs the digest job as of `at` (the clock moves there too, as a scheduled run would see it). */
  const runDigests = async (at: string) => {
    t.clock.set(at)
    return sendDigests(t.deps, { at: new Date(at) })
  }

  return { ...t, mail, subscribe, requestFrom, subscribeConfirmed, createInstrument, runDigests }
}

export type SubscriptionContext = Awaited<ReturnType<typeof subscriptionContext>>

/** The token of the first link to `path` in a message's plain-text part. */
export function linkToken(message: ReceivedMail, path: string): string {
  const escaped = `${BASE_URL}${path}`.replace(/[.?*+^$[\]\\(){}|-]/g, '\\$&')
  const match = new RegExp(`${escaped}\\?token=([A-Za-z0-9._%-]+)`).exec(message.text)
  if (!match?.[1]) throw new Error(`No ${path} link in:\n${message.text}`)
  return decodeURIComponent(match[1])
}

export const unsubscribeToken = (message: ReceivedMail) => linkToken(message, UNSUBSCRIBE_PAGE_PATH)

/**
 * A project of `org` and a watch of it at `email`, requested through the API by an editor of `org`,
 * and confirmed through its emailed link unless `confirm` is false.
 */
export async function projectWatch(
  t: SubscriptionContext,
  options: { org?: string; email: string; projectName?: string; projectId?: string; confirm?: boolean },
) {
  const org = options.org ?? 'ACME'
  const projectId =
    options.projectId ??
    (
      await t.deps.projects.create(
        org,
        { name: options.projectName ?? 'Harbour drones', features: ['T13', 'P3'], country: 'DK' },
        'tester',
        t.clock.now(),
      )
    ).id
  const authorization = `Bearer ${await t.token({ roles: ['editor'], org })}`
  const sent = t.mail.messages.length
  const watched = await t.call('POST', `/v1/projects/${projectId}/subscriptions`, {
    body: { email: options.email, frequency: 'daily' },
    headers: { authorization },
  })
  if (watched.status !== 202) throw new Error(`watch: ${watched.status} ${watched.text}`)
  const [confirmation] = (await t.mail.waitFor(sent + 1)).slice(sent) as [ReceivedMail]
  if (options.confirm !== false) {
    const token = linkToken(confirmation, CONFIRM_PAGE_PATH)
    const confirmed = await t.call('POST', '/v1/subscriptions/confirm', { body: { token } })
    if (confirmed.status !== 200) throw new Error(`confirm: ${confirmed.status} ${confirmed.text}`)
  }
  return { projectId, authorization }
}
