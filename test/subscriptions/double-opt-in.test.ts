import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, it } from 'vitest'
import { tableContentHash } from '../support/table-hash'
import { BASE_URL, linkToken, subscriptionContext } from './support'

const QUERY = 'features=T13,P3&country=DK'

async function allItems(t: { client: any; tableName: string }) {
  const { Items } = await t.client.send(new ScanCommand({ TableName: t.tableName, ConsistentRead: true }))
  return (Items ?? []) as Record<string, unknown>[]
}

describe('saving a search: double opt-in', () => {
  it('answers 202, emails a confirmation link, and sends digests only once the link is confirmed by a POST', async () => {
    const t = await subscriptionContext()
    const requested = await t.subscribe({
      email: '  Ada.Lovelace@Example.ORG ',
      query: QUERY,
      frequency: 'daily',
    })
    expect(requested.status, requested.text).toBe(202)
    expect(requested.json).toEqual({ status: 'pending-confirmation' })

    const [confirmation] = await t.mail.waitFor(1)
    expect(confirmation!.to).toEqual(['ada.lovelace@example.org'])
    expect(confirmation!.header('from')).toBe('fundfinder digests <digests@fundfinder.example>')
    expect(confirmation!.header('reply-to')).toBe('help@fundfinder.example')
    expect(confirmation!.subject).toBe('Confirm your fundfinder digest')
    expect(confirmation!.text).toContain(
      'any of the features T13 (UAVs, Drones), P3 (Detection); country Denmark',
    )
    const token = linkToken(confirmation!, '/subscriptions/confirm')
    expect(confirmation!.html).toContain(`href="${BASE_URL}/subscriptions/confirm?token=${token}"`)

    // Mail scanners fetch links: no GET, on the pages or the API, changes anything.
    const before = await tableContentHash(t.client, t.tableName)
    for (const path of [
      `/subscriptions/confirm?token=${token}`,
      `/subscriptions/unsubscribe?token=${token}`,
    ]) {
      const fetched = await t.call('GET', path)
      expect(fetched.status, path).toBe(200)
      expect(fetched.text, path).toContain('<form method="post"')
    }
    expect((await t.call('GET', `/v1/subscriptions/confirm?token=${token}`)).status).toBe(404)
    expect(await t.deps.subscriptions.describe(token)).toMatchObject({
      purpose: 'confirm',
      state: 'pending',
      email: 'a***@example.org',
      frequency: 'daily',
      subject: { kind: 'search', query: QUERY },
    })
    expect(await tableContentHash(t.client, t.tableName)).toBe(before)

    // Unconfirmed: nothing is due, whatever instruments appear.
    await t.createInstrument({ features: ['T13'], country: 'DK' })
    expect(await t.runDigests('2026-11-23T06:00:00Z')).toMatchObject({ due: 0, sent: 0 })

    t.clock.set('2026-11-23T09:00:00Z')
    const confirmed = await t.call('POST', '/v1/subscriptions/confirm', { body: { token } })
    expect(confirmed.status, confirmed.text).toBe(200)
    // Confirmed on a Monday at 10:00 Brussels time: the first digest is Tuesday 07:00 (06:00 UTC in winter).
    expect(confirmed.json).toEqual({
      status: 'confirmed',
      frequency: 'daily',
      firstDigestAt: '2026-11-24T06:00:00.000Z',
    })
    const again = await t.call('POST', '/v1/subscriptions/confirm', { body: { token } })
    expect(again.json).toEqual(confirmed.json)
    expect(await t.deps.subscriptions.describe(token)).toMatchObject({ state: 'confirmed' })

    // Only what appears after the confirmation is news.
    t.clock.set('2026-11-23T12:00:00Z')
    const fresh = await t.createInstrument({
      name: 'Drone detection pilots',
      features: ['T13'],
      country: 'DK',
    })
    const run = await t.runDigests('2026-11-24T06:00:00Z')
    expect(run).toMatchObject({ due: 1, sent: 1, empty: 0, failed: 0 })
    const digest = t.mail.messages[1]!
    expect(digest.to).toEqual(['ada.lovelace@example.org'])
    expect(digest.text).toContain('Drone detection pilots')
    expect(digest.text).toContain(`${BASE_URL}/instruments/${fresh.id}`)
    expect(t.mail.messages).toHaveLength(2)
  })

  it('stores the address, the query, the frequency and the consent and confirmation times; never a token', async () => {
    const t = await subscriptionContext()
    await t.subscribeConfirmed({
      email: 'grace@example.org',
      query: 'country=dk&features=p3,t13&page=2',
      frequency: 'weekly',
    })
    const confirmationText = t.mail.messages[0]!.text
    const items = await allItems(t)
    const subscription = items.find((item) => item.sk === 'SUBSCRIPTION')
    expect(subscription).toMatchObject({
      email: 'grace@example.org',
      frequency: 'weekly',
      state: 'confirmed',
      // The canonical query: same criteria, fixed order, no paging.
      subject: { kind: 'search', query: 'features=T13,P3&country=DK' },
      consentAt: '2026-11-22T10:00:00.000Z',
      confirmedAt: '2026-11-22T10:00:00.000Z',
    })
    expect(subscription).not.toHaveProperty('ttl')
    const secret = linkToken(t.mail.messages[0]!, '/subscriptions/confirm').split('.')[1]!
    expect(confirmationText).toContain(secret)
    const stored = JSON.stringify(items)
    expect(stored).not.toContain(secret)
    // Only the subscription item holds the address; the rest is keyed by its hash.
    expect(items.filter((item) => JSON.stringify(item).includes('grace@example.org'))).toHaveLength(1)
  })

  it('forgets an unconfirmed request after 7 days: TTL on its items, and its link no longer confirms', async () => {
    const t = await subscriptionContext()
    await t.subscribe({ email: 'late@example.org', query: QUERY, frequency: 'daily' })
    const token = linkToken((await t.mail.waitFor(1))[0]!, '/subscriptions/confirm')
    const items = await allItems(t)
    const sevenDays = Math.floor(Date.parse('2026-11-29T10:00:00Z') / 1000)
    expect(items.length).toBeGreaterThan(0)
    for (const item of items.filter(
      (i) => String(i.pk).startsWith('SUB#') || String(i.sk).startsWith('SUB#'),
    )) {
      expect(item.ttl, String(item.sk)).toBe(sevenDays)
    }
    t.clock.set('2026-11-29T10:00:01Z')
    const expired = await t.call('POST', '/v1/subscriptions/confirm', { body: { token } })
    expect(expired.status).toBe(404)
    expect(expired.headers.get('content-type')).toContain('application/problem+json')
    expect(await t.deps.subscriptions.describe(token)).toBeUndefined()
  })

  it('answers an already subscribed address exactly like a new one, and sends it a note instead', async () => {
    const t = await subscriptionContext()
    await t.subscribeConfirmed({ email: 'ada@example.org', query: QUERY, frequency: 'daily' })
    const known = await t.subscribe({
      email: 'ada@example.org',
      query: 'country=DK&features=P3,T13',
      frequency: 'daily',
    })
    const unknown = await t.subscribe({ email: 'nobody@example.org', query: QUERY, frequency: 'daily' })
    expect(known.status).toBe(unknown.status)
    expect(known.json).toEqual(unknown.json)
    const [, note, confirmation] = await t.mail.waitFor(3)
    expect(note!.to).toEqual(['ada@example.org'])
    expect(note!.subject).toBe('You already receive this fundfinder digest')
    expect(note!.header('list-unsubscribe')).toMatch(
      /^<https:\/\/fundfinder\.example\/subscriptions\/unsubscribe\?token=/,
    )
    expect(confirmation!.to).toEqual(['nobody@example.org'])
    expect(confirmation!.subject).toBe('Confirm your fundfinder digest')
  })

  it('refuses bad input with a 400 problem naming the field, and writes nothing', async () => {
    const t = await subscriptionContext()
    const before = await tableContentHash(t.client, t.tableName)
    const cases: [unknown, string][] = [
      [{ email: 'ada@example.org\r\nBcc: victim@example.org', query: QUERY, frequency: 'daily' }, 'email'],
      [{ email: 'ada@example.org\n', query: QUERY, frequency: 'daily' }, 'email'],
      [{ email: 'Ada <ada@example.org>', query: QUERY, frequency: 'daily' }, 'email'],
      [{ email: 'ada@example.org,eve@example.org', query: QUERY, frequency: 'daily' }, 'email'],
      [{ email: 'not-an-address', query: QUERY, frequency: 'daily' }, 'email'],
      [{ email: 'ada@example.org', query: 'features=T99', frequency: 'daily' }, 'query'],
      [{ email: 'ada@example.org', query: 'country=XX', frequency: 'daily' }, 'query'],
      [{ email: 'ada@example.org', query: 'colour=blue', frequency: 'daily' }, 'query'],
      [{ email: 'ada@example.org', query: QUERY, frequency: 'hourly' }, 'frequency'],
      [{ email: 'ada@example.org', query: QUERY, frequency: 'daily', name: 'Ada' }, 'name'],
      [{ email: 'ada@example.org', frequency: 'daily' }, 'query'],
    ]
    for (const [index, [body, field]] of cases.entries()) {
      const response = await t.requestFrom(`192.0.2.${index}`, 'POST', '/v1/subscriptions', body)
      expect(response.status, JSON.stringify(body)).toBe(400)
      expect(response.headers.get('content-type')).toContain('application/problem+json')
      expect(response.json.errors.map((error: { path: string }) => error.path)).toContain(field)
    }
    const unknownCode = await t.requestFrom('198.51.100.1', 'POST', '/v1/subscriptions', {
      email: 'ada@example.org',
      query: 'features=T99',
      frequency: 'daily',
    })
    expect(unknownCode.json.errors[0].message).toContain("unknown feature code 'T99'")
    // A search's own rule applies too: the same message as GET /v1/instruments gives.
    const search = await t.call('GET', '/v1/instruments?features=T99')
    expect(search.json.errors[0].message).toBe("unknown feature code 'T99'")
    expect(await t.call('POST', '/v1/subscriptions/confirm', { body: { token: 'nope' } })).toMatchObject({
      status: 400,
    })
    expect(t.mail.messages).toHaveLength(0)
    // Refused before any rate counter: nothing at all was written.
    expect(await tableContentHash(t.client, t.tableName)).toBe(before)
  })
})

describe('watching a project', () => {
  it("accepts a watch of the caller's own organisation's project, and hides other organisations' projects", async () => {
    const t = await subscriptionContext()
    const token = async (org?: string) =>
      `Bearer ${await t.token({ roles: ['editor'], ...(org ? { org } : {}) })}`
    const project = await t.deps.projects.create(
      'ACME',
      { name: 'Harbour drones', features: ['T13', 'P3'], country: 'DK' },
      'tester',
      t.clock.now(),
    )
    const path = `/v1/projects/${project.id}/subscriptions`
    const body = {
      email: 'lead@acme.example',
      frequency: 'weekly',
      country: 'DK',
      includeInternational: true,
    }

    const noToken = await t.call('POST', path, { body })
    expect(noToken.status).toBe(401)
    const otherOrg = await t.call('POST', path, { body, headers: { authorization: await token('GLOBEX') } })
    expect(otherOrg.status).toBe(404)
    const noOrg = await t.call('POST', path, { body, headers: { authorization: await token() } })
    expect(noOrg.status).toBe(403)
    const badFilter = await t.call('POST', path, {
      body: { ...body, origin: 'galactic' },
      headers: { authorization: await token('ACME') },
    })
    expect(badFilter.status).toBe(400)
    expect(t.mail.messages).toHaveLength(0)

    const accepted = await t.call('POST', path, { body, headers: { authorization: await token('ACME') } })
    expect(accepted.status, accepted.text).toBe(202)
    expect(accepted.json).toEqual({ status: 'pending-confirmation' })
    const [confirmation] = await t.mail.waitFor(1)
    expect(confirmation!.text).toContain('your watch on the project “Harbour drones”')
  })
})
