import { describe, expect, it } from 'vitest'
import { tableContentHash } from '../support/table-hash'
import { type SubscriptionContext, subscriptionContext, unsubscribeToken } from './support'

const QUERY = 'features=T13'
// 2026-11-22 is a Sunday; 07:00 in Brussels is 06:00 UTC in winter.
const MONDAY = '2026-11-23T06:00:00Z'
const TUESDAY = '2026-11-24T06:00:00Z'
const NEXT_MONDAY = '2026-11-30T06:00:00Z'
const ORIGIN = 'http://localhost'

/** A confirmed daily subscription that got its Monday digest; returns that digest's unsubscribe token. */
async function dailyWithDigest(t: SubscriptionContext, email = 'ada@example.org') {
  await t.subscribeConfirmed({ email, query: QUERY, frequency: 'daily' })
  t.clock.set('2026-11-22T12:00:00Z')
  await t.createInstrument({ name: 'First call', features: ['T13'] })
  expect(await t.runDigests(MONDAY)).toMatchObject({ sent: 1 })
  return unsubscribeToken(t.mail.to(email).at(-1)!)
}

describe('changing how often a digest comes', () => {
  it('moves a daily digest to Mondays with the link every digest carries, losing nothing and doubling nothing', async () => {
    const t = await subscriptionContext()
    const token = await dailyWithDigest(t)

    t.clock.set('2026-11-23T10:00:00Z')
    const changed = await t.call('POST', '/v1/subscriptions/frequency', {
      body: { token, frequency: 'weekly' },
    })
    expect(changed.status).toBe(200)
    expect(changed.json).toEqual({
      status: 'changed',
      frequency: 'weekly',
      nextDigestAt: NEXT_MONDAY.replace('Z', '.000Z'),
    })
    // Asking again changes nothing.
    const again = await t.call('POST', '/v1/subscriptions/frequency', {
      body: { token, frequency: 'weekly' },
    })
    expect(again.json).toMatchObject({ status: 'unchanged', frequency: 'weekly' })

    // Tuesday's daily run no longer sends it, though something new matches.
    await t.createInstrument({ name: 'Tuesday call', features: ['T13'] })
    expect(await t.runDigests(TUESDAY)).toMatchObject({ due: 0 })
    await t.createInstrument({ name: 'Thursday call', features: ['T13'] })
    // The next Monday's weekly digest reports everything since the last digest, once.
    expect(await t.runDigests(NEXT_MONDAY)).toMatchObject({ due: 1, sent: 1 })
    const weekly = t.mail.to('ada@example.org').at(-1)!
    expect(weekly.subject).toContain('weekly')
    expect(weekly.text).toContain('Tuesday call')
    expect(weekly.text).toContain('Thursday call')
    expect(weekly.text).not.toContain('First call')
    expect(await t.runDigests('2026-11-30T12:00:00Z')).toMatchObject({ due: 0 })
  })

  it('moves a weekly digest to daily from the next morning, without a second digest for the week already sent', async () => {
    const t = await subscriptionContext()
    await t.subscribeConfirmed({ email: 'bo@example.org', query: QUERY, frequency: 'weekly' })
    t.clock.set('2026-11-22T12:00:00Z')
    await t.createInstrument({ name: 'First call', features: ['T13'] })
    expect(await t.runDigests(MONDAY)).toMatchObject({ sent: 1 })
    const token = unsubscribeToken(t.mail.to('bo@example.org').at(-1)!)

    t.clock.set('2026-11-23T10:00:00Z')
    const changed = await t.call('POST', '/v1/subscriptions/frequency', {
      body: { token, frequency: 'daily' },
    })
    expect(changed.json).toMatchObject({
      status: 'changed',
      frequency: 'daily',
      nextDigestAt: '2026-11-24T06:00:00.000Z',
    })
    // Later on Monday: Monday's period was sent already.
    expect(await t.runDigests('2026-11-23T12:00:00Z')).toMatchObject({ due: 0 })
    await t.createInstrument({ name: 'Monday afternoon call', features: ['T13'] })
    expect(await t.runDigests(TUESDAY)).toMatchObject({ due: 1, sent: 1 })
    const daily = t.mail.to('bo@example.org').at(-1)!
    expect(daily.subject).toContain('daily')
    expect(daily.text).toContain('Monday afternoon call')
  })

  it('refuses an unknown link (404) and a bad frequency (400), changing nothing', async () => {
    const t = await subscriptionContext()
    const token = await dailyWithDigest(t)
    const before = await tableContentHash(t.client, t.tableName)
    const bad = await t.call('POST', '/v1/subscriptions/frequency', { body: { token, frequency: 'hourly' } })
    expect(bad.status).toBe(400)
    expect(bad.headers.get('content-type')).toContain('application/problem+json')
    const forged = `${token.slice(0, -4)}AAAA`
    const unknown = await t.call('POST', '/v1/subscriptions/frequency', {
      body: { token: forged, frequency: 'weekly' },
    })
    expect(unknown.status).toBe(404)
    expect(await tableContentHash(t.client, t.tableName)).toBe(before)

    // Once unsubscribed, the same link changes nothing either.
    expect((await t.call('POST', '/v1/subscriptions/unsubscribe', { body: { token } })).status).toBe(200)
    const gone = await t.call('POST', '/v1/subscriptions/frequency', { body: { token, frequency: 'weekly' } })
    expect(gone.status).toBe(404)
  })

  it('offers the other frequency on the unsubscribe page; its button switches, a GET never does', async () => {
    const t = await subscriptionContext()
    const token = await dailyWithDigest(t)
    const path = `/subscriptions/unsubscribe?token=${encodeURIComponent(token)}`

    const before = await tableContentHash(t.client, t.tableName)
    const page = await t.app.request(path)
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain(`action="/subscriptions/frequency?token=${encodeURIComponent(token)}"`)
    expect(html).toContain('Send it weekly instead')
    expect(await tableContentHash(t.client, t.tableName)).toBe(before)

    const switched = await t.app.request(`/subscriptions/frequency?token=${encodeURIComponent(token)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
      body: new URLSearchParams({ frequency: 'weekly' }),
    })
    expect(switched.status).toBe(200)
    expect(await switched.text()).toContain('every Monday')
    const after = await (await t.app.request(path)).text()
    expect(after).toContain('Send it daily instead')
  })

  it('tells an address that asks again at another frequency how to switch, without switching', async () => {
    const t = await subscriptionContext()
    await t.subscribeConfirmed({ email: 'ada@example.org', query: QUERY, frequency: 'daily' })
    expect((await t.subscribe({ email: 'ada@example.org', query: QUERY, frequency: 'weekly' })).status).toBe(
      202,
    )
    const [note] = (await t.mail.waitFor(2)).slice(1)
    expect(note!.subject).toBe('You already receive this fundfinder digest')
    expect(note!.text).toContain('To receive it every week instead, open the link at the bottom')
    // Anyone may type an address: the request itself switches nothing.
    const described = await t.deps.subscriptions.describe(unsubscribeToken(note!))
    expect(described?.frequency).toBe('daily')
  })
})
