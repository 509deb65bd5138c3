import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, it, vi } from 'vitest'
import type { InstrumentRecord } from '../../shared/catalogue/instrument'
import { addressHash } from '../../shared/subscriptions/email-address'
import { subscriptionId } from '../../shared/subscriptions/subscription'
import { type InstrumentBody, instrumentInput, revisedInput } from '../support/factories'
import { BASE_URL, type SubscriptionContext, subscriptionContext } from './support'

const QUERY = 'features=T13&country=DK'
// 2026-11-22 is a Sunday; 07:00 in Brussels is 06:00 UTC in winter.
const MONDAY = '2026-11-23T06:00:00Z'
const TUESDAY = '2026-11-24T06:00:00Z'
const WEDNESDAY = '2026-11-25T06:00:00Z'

async function edit(t: SubscriptionContext, record: InstrumentRecord, changes: Partial<InstrumentBody>) {
  return t.store.replace(record.id, revisedInput(record, changes), record.version, 'editor', t.clock.now())
}

async function subscriptionItems(t: SubscriptionContext) {
  const { Items } = await t.client.send(new ScanCommand({ TableName: t.tableName, ConsistentRead: true }))
  return (Items ?? []).filter((item) => String(item.pk).startsWith('SUB#'))
}

/**
 * ACME's Danish project "Harbour drones" (T13, P3), watched daily by lead@acme.example through the
 * API with `filters`, and confirmed.
 */
async function confirmedWatch(t: SubscriptionContext, filters: Record<string, string>) {
  const project = await t.deps.projects.create(
    'ACME',
    { name: 'Harbour drones', features: ['T13', 'P3'], country: 'DK' },
    'tester',
    t.clock.now(),
  )
  const authorization = `Bearer ${await t.token({ roles: ['editor'], org: 'ACME' })}`
  const watched = await t.call('POST', `/v1/projects/${project.id}/subscriptions`, {
    body: { email: 'lead@acme.example', frequency: 'daily', ...filters },
    headers: { authorization },
  })
  expect(watched.status).toBe(202)
  const [confirmation] = await t.mail.waitFor(1)
  const token = /token=([\w.-]+)/.exec(confirmation!.text)![1]!
  expect((await t.call('POST', '/v1/subscriptions/confirm', { body: { token } })).status).toBe(200)
  return { project }
}

describe('digests', () => {
  it('lists what newly matches once: created or changed into the match, never an edit of what the subscriber already knew', async () => {
    const t = await subscriptionContext()
    const before = await t.createInstrument({
      name: 'Known before subscribing',
      features: ['T13'],
      country: 'DK',
    })
    await t.subscribeConfirmed({ email: 'ada@example.org', query: QUERY, frequency: 'daily' })
    t.clock.set('2026-11-22T12:00:00Z')
    const fresh = await t.createInstrument({
      name: 'Fresh drone call',
      features: ['T13', 'P3'],
      country: 'DK',
    })
    const other = await t.createInstrument({ name: 'Other topic', features: ['T1'], country: 'DK' })
    await t.createInstrument({ name: 'Other country', features: ['T13'], country: 'SE' })

    expect(await t.runDigests(MONDAY)).toEqual(
      expect.objectContaining({ due: 1, sent: 1, empty: 0, failed: 0 }),
    )
    const monday = t.mail.messages[1]!
    expect(monday.subject).toBe('Your daily fundfinder digest: 1 new')
    expect(monday.text).toContain('Fresh drone call')
    expect(monday.html).toContain(`<a href="${BASE_URL}/instruments/${fresh.id}"`)
    for (const absent of ['Known before subscribing', 'Other topic', 'Other country']) {
      expect(monday.text).not.toContain(absent)
    }
    expect(monday.text).toContain(`See every result of this search: ${BASE_URL}/?${QUERY}`)

    t.clock.set('2026-11-23T12:00:00Z')
    await edit(t, fresh, { description: 'Reworded, still about drones.' })
    await edit(t, before, { description: 'Reworded too.' })
    await edit(t, other, { features: ['T1', 'T13'] })
    expect(await t.runDigests(TUESDAY)).toMatchObject({ due: 1, sent: 1 })
    const tuesday = t.mail.messages[2]!
    expect(tuesday.subject).toBe('Your daily fundfinder digest: 1 new')
    expect(tuesday.text).toContain('Other topic')
    expect(tuesday.text).not.toContain('Fresh drone call')

    // Nothing new, nothing closing: no email at all.
    expect(await t.runDigests(WEDNESDAY)).toMatchObject({ due: 1, sent: 0, empty: 1 })
    expect(t.mail.messages).toHaveLength(3)
    // The state moved on anyway: Thursday's run still has nothing to say.
    expect(await t.runDigests('2026-11-26T06:00:00Z')).toMatchObject({ due: 1, empty: 1 })
  })

  it('never re-matches a saved search against the whole catalogue: a call the window reaches with time is not new', async () => {
    const t = await subscriptionContext()
    // Closes 40 days after subscribing: outside "closing within 30 days" then, inside two weeks later.
    await t.createInstrument({ name: 'Later call', features: ['T13'], deadline: '2027-01-01' })
    const email = 'ada@example.org'
    await t.subscribeConfirmed({ email, query: 'features=T13&closingWithin=30', frequency: 'daily' })
    // Whatever a stored state says it was matched by (an older fingerprint): a search has one query.
    const [id] = await t.deps.subscriptionStore.idsByAddress(addressHash(email))
    const state = await t.deps.subscriptionStore.getDigestState(id!)
    await t.deps.subscriptionStore.saveDigestState(id!, { ...state!, matchedBy: 'from-an-older-version' })
    expect(await t.runDigests('2026-12-08T06:00:00Z')).toMatchObject({ due: 1, sent: 0, empty: 1 })
  })

  it('reminds once of matching instruments that close within 7 days, with the deadline in Brussels time', async () => {
    const t = await subscriptionContext()
    // Friday 27 November, 16:00 UTC = 17:00 in Brussels (CET, winter).
    await t.createInstrument({ name: 'Closing Friday', features: ['T13'], deadline: '2026-11-27T16:00:00Z' })
    await t.createInstrument({ name: 'Closing in a month', features: ['T13'], deadline: '2026-12-20' })
    await t.subscribeConfirmed({ email: 'ada@example.org', query: QUERY, frequency: 'daily' })

    expect(await t.runDigests(MONDAY)).toMatchObject({ sent: 1 })
    const digest = t.mail.messages[1]!
    expect(digest.subject).toBe('Your daily fundfinder digest: 1 closing soon')
    expect(digest.text).toContain('CLOSING WITHIN 7 DAYS (1)')
    expect(digest.text).toContain('Closing Friday')
    expect(digest.text).toContain('Deadline: Friday, 27 November 2026, 17:00 CET (Brussels time)')
    expect(digest.text).not.toContain('Closing in a month')
    expect(digest.html).toContain('<h2 style="font-size:18px;">Closing within 7 days (1)</h2>')

    expect(await t.runDigests(TUESDAY)).toMatchObject({ due: 1, empty: 1 })
    expect(t.mail.messages).toHaveLength(2)
  })

  it('reminds of a multiple cut-off call when its next cut-off is within 7 days, once per cut-off', async () => {
    const t = await subscriptionContext()
    // Cut-offs on Friday 27 November 2026 and Friday 22 January 2027, 17:00 in Brussels.
    const cutOffs = ['2026-11-27T16:00:00Z', '2027-01-22T16:00:00Z']
    await t.createInstrument({ name: 'Two cut-offs', features: ['T13'], deadline: cutOffs[1], cutOffs })
    await t.subscribeConfirmed({ email: 'ada@example.org', query: QUERY, frequency: 'daily' })

    expect(await t.runDigests(MONDAY)).toMatchObject({ sent: 1 })
    const first = t.mail.messages[1]!
    expect(first.subject).toBe('Your daily fundfinder digest: 1 closing soon')
    expect(first.text).toContain('CLOSING WITHIN 7 DAYS (1)')
    expect(first.text).toContain('Next cut-off: Friday, 27 November 2026, 17:00 CET (Brussels time)')
    expect(first.text).toContain('Deadline: Friday, 22 January 2027, 17:00 CET (Brussels time)')
    expect(first.html).toContain('Next cut-off: Friday, 27 November 2026, 17:00 CET (Brussels time)')

    // Reminded once of that cut-off: not again the next days, nor once it has passed.
    expect(await t.runDigests(TUESDAY)).toMatchObject({ due: 1, empty: 1 })
    expect(await t.runDigests('2026-11-28T06:00:00Z')).toMatchObject({ due: 1, empty: 1 })
    expect(t.mail.messages).toHaveLength(2)

    // The last cut-off is another closing: reminded once when it comes within 7 days.
    expect(await t.runDigests('2027-01-14T06:00:00Z')).toMatchObject({ due: 1, empty: 1 })
    expect(await t.runDigests('2027-01-18T06:00:00Z')).toMatchObject({ sent: 1 })
    const last = t.mail.messages[2]!
    expect(last.subject).toBe('Your daily fundfinder digest: 1 closing soon')
    expect(last.text).toContain('Two cut-offs')
    expect(last.text).not.toContain('Next cut-off')
    expect(last.text).toContain('Deadline: Friday, 22 January 2027, 17:00 CET (Brussels time)')
    expect(await t.runDigests('2027-01-19T06:00:00Z')).toMatchObject({ due: 1, empty: 1 })
    expect(t.mail.messages).toHaveLength(3)
  })

  it('never sends two digests for one subscription and period: not when run again, not when two runs race', async () => {
    const t = await subscriptionContext()
    await t.subscribeConfirmed({ email: 'ada@example.org', query: QUERY, frequency: 'daily' })
    await t.subscribeConfirmed({ email: 'grace@example.org', query: QUERY, frequency: 'daily' })
    await t.createInstrument({ name: 'Racing call', features: ['T13'] })

    t.clock.set(MONDAY)
    const runs = await Promise.all([
      t.runDigests(MONDAY),
      t.runDigests(MONDAY),
      t.runDigests('2026-11-23T06:00:01Z'),
    ])
    expect(runs.reduce((sum, run) => sum + run.sent, 0)).toBe(2)
    expect(runs.reduce((sum, run) => sum + run.due, 0)).toBe(2)
    for (const run of runs) expect(run.due).toBe(run.sent + run.empty + run.failed)
    expect(t.mail.to('ada@example.org')).toHaveLength(2) // confirmation + one digest
    expect(t.mail.to('grace@example.org')).toHaveLength(2)

    // Later the same period, or "as if" at an earlier instant: nothing is due again.
    expect(await t.runDigests('2026-11-23T20:00:00Z')).toMatchObject({ due: 0 })
    expect(await t.runDigests('2026-11-22T06:30:00Z')).toMatchObject({ due: 0 })
    expect(t.mail.messages).toHaveLength(4)
  })

  it('gives the period back when the email cannot be sent, so that a re-run sends it', async () => {
    const refusing = new Set<string>()
    const t = await subscriptionContext({ mail: { refuse: (address) => refusing.has(address) } })
    await t.subscribeConfirmed({ email: 'ada@example.org', query: QUERY, frequency: 'daily' })
    await t.createInstrument({ name: 'Delayed call', features: ['T13'] })
    refusing.add('ada@example.org')
    const logged = vi.spyOn(t.deps.logger, 'error')
    expect(await t.runDigests(MONDAY)).toMatchObject({ due: 1, sent: 0, failed: 1 })
    // The server's refusal names the recipient; the log keeps why, masked.
    const failure = JSON.stringify(logged.mock.calls.find(([message]) => message === 'digest failed'))
    logged.mockRestore()
    expect(failure).toContain('a***@example.org')
    expect(failure).not.toContain('ada@example.org')
    refusing.clear()
    expect(await t.runDigests('2026-11-23T06:10:00Z')).toMatchObject({ due: 1, sent: 1, failed: 0 })
    expect(t.mail.messages.at(-1)!.text).toContain('Delayed call')
    expect(await t.runDigests('2026-11-23T06:20:00Z')).toMatchObject({ due: 0 })
  })

  it('sends weekly digests on Mondays at 07:00 Brussels time only, and catches a missed week up', async () => {
    const t = await subscriptionContext()
    const { firstDigestAt } = await t.subscribeConfirmed({
      email: 'ada@example.org',
      query: QUERY,
      frequency: 'weekly',
    })
    expect(firstDigestAt).toBe('2026-11-23T06:00:00.000Z')
    await t.createInstrument({ name: 'Weekly news', features: ['T13'] })
    expect(await t.runDigests('2026-11-23T05:59:59Z')).toMatchObject({ due: 0 })
    expect(await t.runDigests(MONDAY)).toMatchObject({ due: 1, sent: 1 })
    t.clock.set('2026-11-24T10:00:00Z')
    await t.createInstrument({ name: 'Tuesday news', features: ['T13'] })
    for (const day of [TUESDAY, WEDNESDAY, '2026-11-29T06:00:00Z']) {
      expect(await t.runDigests(day), day).toMatchObject({ due: 0 })
    }
    // The job did not run on Monday 30 November: a run on Wednesday (or `--at` Monday) catches it up.
    expect(await t.runDigests('2026-12-02T09:00:00Z')).toMatchObject({ due: 1, sent: 1 })
    expect(t.mail.messages.at(-1)!.subject).toBe('Your weekly fundfinder digest: 1 new')
    expect(t.mail.messages.at(-1)!.text).toContain('Tuesday news')
  })

  it('matches a watched project by its features and the origin and country the watch names, and ends with a note when it is deleted', async () => {
    const t = await subscriptionContext()
    const { project } = await confirmedWatch(t, { origin: 'national', country: 'DK' })

    t.clock.set('2026-11-22T12:00:00Z')
    await t.createInstrument({
      name: 'Danish detection grant',
      features: ['P3'],
      origin: 'national',
      country: 'DK',
    })
    await t.createInstrument({
      name: 'Swedish detection grant',
      features: ['P3'],
      origin: 'national',
      country: 'SE',
    })
    await t.createInstrument({
      name: 'Danish unrelated grant',
      features: ['G1'],
      origin: 'national',
      country: 'DK',
    })
    expect(await t.runDigests(MONDAY)).toMatchObject({ sent: 1 })
    const digest = t.mail.messages[1]!
    expect(digest.text).toContain('For your watch on the project “Harbour drones”.')
    expect(digest.text).toContain(`${BASE_URL}/admin/portfolio/projects/${project.id}`)
    expect(digest.text).toContain('Danish detection grant')
    expect(digest.text).not.toContain('Swedish detection grant')
    expect(digest.text).not.toContain('Danish unrelated grant')

    await t.deps.projects.delete('ACME', project.id, 1)
    expect(await t.runDigests(TUESDAY)).toMatchObject({ due: 1, sent: 1 })
    const note = t.mail.messages[2]!
    expect(note.subject).toBe('Your fundfinder project watch has ended')
    expect(note.text).toContain('The project “Harbour drones” that you watched has been deleted')
    expect(await subscriptionItems(t)).toEqual([])
    expect(await t.runDigests(WEDNESDAY)).toMatchObject({ due: 0 })
  })

  it('matches a watch without filters where the project can be funded: its own country, now, and international instruments', async () => {
    const t = await subscriptionContext()
    // What the web form on the project's page sends: no origin, no country.
    const { project } = await confirmedWatch(t, {})

    t.clock.set('2026-11-22T12:00:00Z')
    const detection = { features: ['P3' as const] }
    await t.createInstrument({
      ...detection,
      name: 'Danish detection grant',
      origin: 'national',
      country: 'DK',
    })
    await t.createInstrument({
      ...detection,
      name: 'Zealand detection grant',
      origin: 'regional',
      country: 'DK',
      region: 'Zealand',
    })
    await t.createInstrument({
      ...detection,
      name: 'EU detection call',
      origin: 'international',
      country: undefined,
    })
    await t.createInstrument({
      ...detection,
      name: 'Swedish detection grant',
      origin: 'national',
      country: 'SE',
    })
    await t.createInstrument({ name: 'Danish unrelated grant', features: ['G1'], country: 'DK' })
    expect(await t.runDigests(MONDAY)).toMatchObject({ sent: 1 })
    const digest = t.mail.messages[1]!
    expect(digest.text).toContain('Danish detection grant')
    expect(digest.text).toContain('Zealand detection grant')
    expect(digest.text).toContain('EU detection call')
    expect(digest.text).not.toContain('Swedish detection grant')
    expect(digest.text).not.toContain('Danish unrelated grant')

    // The watch reads the project at every digest: once it is a Swedish project, Swedish calls fit.
    await t.deps.projects.replace(
      'ACME',
      project.id,
      { name: 'Harbour drones', features: ['T13', 'P3'], country: 'SE' },
      project.version,
      'tester',
      t.clock.now(),
    )
    await t.createInstrument({
      ...detection,
      name: 'Swedish sensing grant',
      origin: 'national',
      country: 'SE',
    })
    await t.createInstrument({
      ...detection,
      name: 'Danish sensing grant',
      origin: 'national',
      country: 'DK',
    })
    expect(await t.runDigests(TUESDAY)).toMatchObject({ sent: 1 })
    const next = t.mail.messages[2]!
    expect(next.text).toContain('Swedish sensing grant')
    expect(next.text).not.toContain('Danish sensing grant')
    // A call that fits the project only since it moved is new to the watcher though it never
    // changed; one announced before is not announced again.
    expect(next.text).toContain('Swedish detection grant')
    expect(next.text).not.toContain('EU detection call')
    // Nothing changed since: nothing to say.
    expect(await t.runDigests(WEDNESDAY)).toMatchObject({ due: 1, sent: 0, empty: 1 })
  })

  it('reports a saved search that no longer validates (a retired feature code) and ends it, instead of dropping it silently', async () => {
    const t = await subscriptionContext()
    // Saved while "X42" was a feature code; the taxonomy no longer has it.
    const email = 'ada@example.org'
    const subject = { kind: 'search' as const, query: 'features=X42,T13&country=DK' }
    const id = subscriptionId(addressHash(email), subject)
    const nowSeconds = Math.floor(t.clock.now().getTime() / 1000)
    await t.deps.subscriptionStore.savePending(
      {
        id,
        email,
        addressHash: addressHash(email),
        subject,
        frequency: 'daily',
        state: 'pending',
        consentAt: t.clock.now().toISOString(),
        ttl: nowSeconds + 3600,
      },
      'unused-hash',
    )
    await t.deps.subscriptionStore.confirm(id, {
      confirmedAt: t.clock.now().toISOString(),
      dueAt: Date.parse(MONDAY),
      watermark: 0,
      known: [],
      nowSeconds,
    })
    await t.store.create(instrumentInput({ features: ['T13'] }), 'editor', t.clock.now())

    expect(await t.runDigests(MONDAY)).toMatchObject({ due: 1, sent: 1, failed: 0 })
    const report = t.mail.messages[0]!
    expect(report.to).toEqual([email])
    expect(report.subject).toBe('Your saved fundfinder search no longer works')
    expect(report.text).toContain('features=X42,T13&country=DK')
    expect(report.text).toContain("features: unknown feature code 'X42'")
    expect(report.html).toContain('<li>features: unknown feature code &#39;X42&#39;</li>')
    expect(await subscriptionItems(t)).toEqual([])
  })
})
