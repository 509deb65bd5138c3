import { describe, expect, it } from 'vitest'
import { tableContentHash } from '../support/table-hash'
import { linkToken, subscriptionContext, unsubscribeToken } from './support'

const ORIGIN = 'http://localhost'

/** Posts a form as a browser on this site does (urlencoded, with our own Origin). */
async function postForm(
  t: Awaited<ReturnType<typeof subscriptionContext>>,
  path: string,
  fields: Record<string, string>,
  origin = ORIGIN,
) {
  const response = await t.app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: new URLSearchParams(fields),
  })
  return { status: response.status, html: await response.text() }
}

describe('subscription pages', () => {
  it('saves a search from the search page, confirms and unsubscribes with buttons, never on a GET', async () => {
    const t = await subscriptionContext()
    const search = await t.call('GET', '/?features=T13&country=DK')
    expect(search.text).toContain('href="/subscriptions/new?features=T13&amp;country=DK"')

    const form = await t.call('GET', '/subscriptions/new?features=T13&country=DK')
    expect(form.status).toBe(200)
    expect(form.text).toContain('name="query" value="features=T13&amp;country=DK"')
    expect(form.text).toContain('T13 (UAVs, Drones)')

    const sent = await postForm(t, '/subscriptions', {
      email: 'grace@example.org',
      frequency: 'weekly',
      query: 'features=T13&country=DK',
    })
    expect(sent.status).toBe(202)
    expect(sent.html).toContain('Check your inbox')
    const [confirmation] = await t.mail.waitFor(1)
    const token = linkToken(confirmation!, '/subscriptions/confirm')

    const before = await tableContentHash(t.client, t.tableName)
    const page = await t.call('GET', `/subscriptions/confirm?token=${token}`)
    expect(page.status).toBe(200)
    expect(page.text).toContain('g***@example.org')
    expect(page.text).toContain('Confirm and start the digests')
    expect(await tableContentHash(t.client, t.tableName)).toBe(before)

    const confirmed = await postForm(t, `/subscriptions/confirm?token=${token}`, {})
    expect(confirmed.status).toBe(200)
    expect(confirmed.html).toContain('Subscription confirmed')
    expect(await t.deps.subscriptions.describe(token)).toMatchObject({ state: 'confirmed' })

    // A digest's unsubscribe link: the page shows a button, its POST unsubscribes and deletes.
    t.clock.set('2026-11-23T12:00:00Z')
    await t.createInstrument({ name: 'Drone detection pilots', features: ['T13'], country: 'DK' })
    expect(await t.runDigests('2026-11-30T06:00:00Z')).toMatchObject({ sent: 1 })
    const digest = t.mail.messages.at(-1)!
    const unsubscribe = unsubscribeToken(digest)
    const unsubscribePage = await t.call('GET', `/subscriptions/unsubscribe?token=${unsubscribe}`)
    expect(unsubscribePage.status).toBe(200)
    expect(unsubscribePage.text).toContain('Unsubscribe and delete my data')
    const gone = await postForm(t, `/subscriptions/unsubscribe?token=${unsubscribe}`, {})
    expect(gone.status).toBe(200)
    expect(gone.html).toContain('Unsubscribed')
    expect(await t.deps.subscriptions.describe(token)).toBeUndefined()
    expect((await t.call('GET', `/subscriptions/unsubscribe?token=${unsubscribe}`)).status).toBe(404)
  })

  it('shows a bad address next to its field, refuses a form from another site, and writes nothing', async () => {
    const t = await subscriptionContext()
    const before = await tableContentHash(t.client, t.tableName)
    const bad = await postForm(t, '/subscriptions', {
      email: 'not an address',
      frequency: 'weekly',
      query: 'features=T13',
    })
    expect(bad.status).toBe(400)
    expect(bad.html).toMatch(/id="email-error"/)
    expect(bad.html).toContain('value="not an address"')
    const badQuery = await postForm(t, '/subscriptions', {
      email: 'ok@example.org',
      frequency: 'weekly',
      query: 'features=NOPE',
    })
    expect(badQuery.status).toBe(400)
    expect(badQuery.html).toContain('This search cannot be saved')
    const crossSite = await postForm(
      t,
      '/subscriptions',
      { email: 'ok@example.org', frequency: 'weekly', query: 'features=T13' },
      'https://evil.example',
    )
    expect(crossSite.status).toBe(403)
    expect(await tableContentHash(t.client, t.tableName)).toBe(before)
    expect(t.mail.messages).toHaveLength(0)
  })

  it('answers an unknown link with the same page whatever the token', async () => {
    const t = await subscriptionContext()
    for (const token of ['x', 'a'.repeat(43), '']) {
      const page = await t.call('GET', `/subscriptions/confirm?token=${token}`)
      expect(page.status).toBe(404)
      expect(page.text).toContain('This link is not valid any more')
    }
  })
})
