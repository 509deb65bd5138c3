import { TransactionConflictException } from '@aws-sdk/client-dynamodb'
import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, it } from 'vitest'
import { tableContentHash } from '../support/table-hash'
import { BASE_URL, type SubscriptionContext, subscriptionContext, unsubscribeToken } from './support'

const QUERY = 'features=T13'
const MONDAY = '2026-11-23T06:00:00Z'

/** Subscribes `email`, lets a digest arrive, and returns that digest. */
async function digestFor(t: SubscriptionContext, email: string) {
  await t.subscribeConfirmed({ email, query: QUERY, frequency: 'daily' })
  t.clock.set('2026-11-22T12:00:00Z')
  await t.createInstrument({ name: 'Something new', features: ['T13'] })
  expect(await t.runDigests(MONDAY)).toMatchObject({ sent: 1 })
  return t.mail.to(email).at(-1)!
}

async function itemsMentioning(t: SubscriptionContext, text: string) {
  const { Items } = await t.client.send(new ScanCommand({ TableName: t.tableName, ConsistentRead: true }))
  return (Items ?? []).filter(
    (item) => JSON.stringify(item).includes(text) || String(item.pk).startsWith('SUB#'),
  )
}

describe('unsubscribing', () => {
  it('carries List-Unsubscribe and List-Unsubscribe-Post on every digest, naming the unsubscribe page URL', async () => {
    const t = await subscriptionContext()
    const digest = await digestFor(t, 'ada@example.org')
    const token = unsubscribeToken(digest)
    const url = `${BASE_URL}/subscriptions/unsubscribe?token=${token}`
    expect(digest.header('list-unsubscribe')).toBe(`<${url}>`)
    expect(digest.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click')
    expect(digest.html).toContain(`<a href="${url}"`)
    expect(digest.text).toContain(url)
  })

  it('unsubscribes with an RFC 8058 one-click POST, without sign-in, and deletes the data', async () => {
    const t = await subscriptionContext()
    const digest = await digestFor(t, 'ada@example.org')
    const url = new URL(/<([^>]+)>/.exec(digest.header('list-unsubscribe')!)![1]!)
    expect(await itemsMentioning(t, 'ada@example.org')).not.toEqual([])

    // A mail scanner's GET first: the page with its button, and nothing changes.
    const before = await tableContentHash(t.client, t.tableName)
    expect((await t.app.request(`${url.pathname}${url.search}`)).status).toBe(200)
    // A POST without the one-click body is the page's form, which only our own pages may send.
    const plain = await t.app.request(`${url.pathname}${url.search}`, { method: 'POST' })
    expect(plain.status).toBe(403)
    expect(await tableContentHash(t.client, t.tableName)).toBe(before)

    // What a mail client sends (RFC 8058 section 3.2).
    const oneClick = await t.app.request(`${url.pathname}${url.search}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    })
    expect(oneClick.status).toBe(200)
    expect(await oneClick.text()).toContain('Unsubscribed')
    expect(await itemsMentioning(t, 'ada@example.org')).toEqual([])

    // Again (a client retrying): the same answer.
    const again = await t.app.request(`${url.pathname}${url.search}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    })
    expect(again.status).toBe(200)

    t.clock.set('2026-11-23T12:00:00Z')
    await t.createInstrument({ name: 'After unsubscribing', features: ['T13'] })
    expect(await t.runDigests('2026-11-24T06:00:00Z')).toMatchObject({ due: 0, sent: 0 })
    expect(t.mail.to('ada@example.org')).toHaveLength(2)
  })

  it('accepts the one-click body as multipart/form-data too, and refuses a damaged token', async () => {
    const t = await subscriptionContext()
    const token = unsubscribeToken(await digestFor(t, 'ada@example.org'))
    const form = new FormData()
    form.set('List-Unsubscribe', 'One-Click')
    const damaged = await t.app.request(`/subscriptions/unsubscribe?token=${token.slice(0, -3)}`, {
      method: 'POST',
      body: form,
    })
    expect(damaged.status).toBe(400)
    expect(damaged.headers.get('content-type')).toContain('application/problem+json')
    const response = await t.app.request(`/subscriptions/unsubscribe?token=${token}`, {
      method: 'POST',
      body: form,
    })
    expect(response.status).toBe(200)
    expect(await itemsMentioning(t, 'ada@example.org')).toEqual([])
  })

  it('unsubscribes through the JSON API with the same token, idempotently, leaving other subscriptions alone', async () => {
    const t = await subscriptionContext()
    const ada = unsubscribeToken(await digestFor(t, 'ada@example.org'))
    await t.subscribeConfirmed({ email: 'grace@example.org', query: QUERY, frequency: 'daily' })
    const view = await t.deps.subscriptions.describe(ada)
    expect(view).toMatchObject({ purpose: 'unsubscribe', state: 'confirmed', email: 'a***@example.org' })

    const first = await t.call('POST', '/v1/subscriptions/unsubscribe', { body: { token: ada } })
    expect(first.status).toBe(200)
    expect(first.json).toEqual({ status: 'unsubscribed' })
    const second = await t.call('POST', '/v1/subscriptions/unsubscribe', { body: { token: ada } })
    expect(second.json).toEqual({ status: 'unsubscribed' })
    expect(await t.deps.subscriptions.describe(ada)).toBeUndefined()

    t.clock.set('2026-11-23T12:00:00Z')
    await t.createInstrument({ name: 'For Grace only', features: ['T13'] })
    expect(await t.runDigests('2026-11-24T06:00:00Z')).toMatchObject({ due: 1, sent: 1 })
    expect(t.mail.messages.at(-1)!.to).toEqual(['grace@example.org'])
    // A confirmation link is no unsubscribe link, and vice versa.
    const confirmToken = /token=([\w.-]+)/.exec(t.mail.to('grace@example.org')[0]!.text)![1]!
    await t.call('POST', '/v1/subscriptions/unsubscribe', { body: { token: confirmToken } })
    expect(await t.runDigests('2026-11-25T06:00:00Z')).toMatchObject({ due: 1 })
  })

  it('answers a retryable 503 when the unsubscribe meets a transaction on the same subscription, and loses nothing', async () => {
    const t = await subscriptionContext()
    const ada = unsubscribeToken(await digestFor(t, 'ada@example.org'))
    const id = ada.split('.')[0]!
    const before = await tableContentHash(t.client, t.tableName)
    // DynamoDB refuses a single write to an item a transaction is writing (the digest's bookkeeping,
    // a link repair): the first delete of the subscription meets one.
    let conflicts = 1
    t.client.middlewareStack.add(
      (next, context) => async (args) => {
        // The client's own command (the DocumentClient's DeleteCommand marshalled to DeleteItem).
        const key = JSON.stringify((args.input as { Key?: unknown }).Key ?? {})
        if (context.commandName === 'DeleteItemCommand' && key.includes(id) && conflicts-- > 0) {
          throw new TransactionConflictException({
            message: 'Transaction is ongoing for the item',
            $metadata: { httpStatusCode: 400 },
          })
        }
        return next(args)
      },
      { step: 'initialize', name: 'conflictOnce' },
    )

    const refused = await t.call('POST', '/v1/subscriptions/unsubscribe', { body: { token: ada } })
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(refused.json).toMatchObject({ status: 503, detail: expect.stringMatching(/try again/i) })
    expect(await tableContentHash(t.client, t.tableName)).toBe(before)

    const again = await t.call('POST', '/v1/subscriptions/unsubscribe', { body: { token: ada } })
    expect(again.status).toBe(200)
    expect(await t.deps.subscriptions.describe(ada)).toBeUndefined()
  })

  it("binds a link to its one subscription and its purpose: a secret under another subscription's id opens nothing", async () => {
    const t = await subscriptionContext()
    const ada = unsubscribeToken(await digestFor(t, 'ada@example.org'))
    const grace = await t.subscribeConfirmed({ email: 'grace@example.org', query: QUERY, frequency: 'daily' })
    const graceId = grace.token.split('.')[0]!
    const adaSecret = ada.slice(ada.indexOf('.') + 1)
    const forged = `${graceId}.${adaSecret}`
    const before = await tableContentHash(t.client, t.tableName)

    expect(await t.deps.subscriptions.describe(forged)).toBeUndefined()
    const unsubscribed = await t.call('POST', '/v1/subscriptions/unsubscribe', { body: { token: forged } })
    expect(unsubscribed.json).toEqual({ status: 'unsubscribed' })
    const switched = await t.call('POST', '/v1/subscriptions/frequency', {
      body: { token: forged, frequency: 'weekly' },
    })
    expect(switched.status).toBe(404)
    // An unsubscribe link confirms nothing, and a confirmation link switches nothing.
    expect((await t.call('POST', '/v1/subscriptions/confirm', { body: { token: ada } })).status).toBe(404)
    const byConfirmation = await t.call('POST', '/v1/subscriptions/frequency', {
      body: { token: grace.token, frequency: 'weekly' },
    })
    expect(byConfirmation.status).toBe(404)
    expect(await tableContentHash(t.client, t.tableName)).toBe(before)
  })

  it('leaves nothing behind when the subscriber unsubscribes while their digest is being sent', async () => {
    const t = await subscriptionContext()
    const token = unsubscribeToken(await digestFor(t, 'ada@example.org'))
    const id = token.split('.')[0]!
    const store = t.deps.subscriptionStore
    const claim = await store.claim(
      id,
      '2026-11-24',
      Date.parse('2026-11-25T06:00:00Z'),
      new Date('2026-11-24T06:00:00Z'),
    )
    expect(claim).toBeDefined()
    const state = await store.getDigestState(id)
    expect(await store.delete(id)).toBe(true)
    // What the job does after sending, too late:
    expect(await store.addToken(id, 'late-token-hash', 'unsubscribe', 2_000_000_000)).toBe(false)
    await store.saveDigestState(id, state!)
    await store.releaseClaim(claim!)
    expect(await itemsMentioning(t, 'ada@example.org')).toEqual([])
  })
})
