import { afterEach, describe, expect, it } from 'vitest'
import { formValuesOf } from '../../functions/web/lib/instrument-form'
import type { InstrumentContent } from '../../shared/catalogue/instrument'
import { instrumentInput, syncedContent } from '../support/factories'
import { createWebContext, type WebContext } from '../web/web-context'

let contexts: WebContext[] = []
afterEach(async () => {
  await Promise.all(contexts.map((t) => t.cleanup()))
  contexts = []
})
async function webContext() {
  const t = await createWebContext()
  contexts.push(t)
  return t
}

const seedAt = (t: WebContext, content: InstrumentContent, at = '2026-11-01T08:00:00Z') =>
  t.store.create(content, 'sync:eu-ft', new Date(at))

/** The codes of the ticked feature checkboxes of a page. */
const tickedFeatures = (html: string) =>
  [...html.matchAll(/<input type="checkbox" id="feature-(\w+)" name="features" value="\w+" checked/g)].map(
    (match) => match[1],
  )

describe('the review screens', () => {
  it('list what waits, then show the call’s text with its evidence marked beside the suggested features, escaped', async () => {
    const t = await webContext()
    const held = await seedAt(
      t,
      syncedContent(
        {
          name: 'Counter-drone pilots <b>2027</b>',
          description: '<script>steal("x")</script> Radar that detects UAVs at airports.',
          features: ['T13'],
        },
        { published: false },
      ),
    )
    await seedAt(t, syncedContent({ name: 'A suggested call' }), '2026-11-02T08:00:00Z')
    await t.store.create(instrumentInput({ name: 'Typed by an editor' }), 'seed', t.clock.now())
    const editor = await t.signIn('editor')

    const queue = await t.page('/admin/review', editor)
    expect(queue.status).toBe(200)
    expect(queue.headers.get('cache-control')).toBe('no-store')
    expect(queue.html).toContain('Held, not public')
    expect(queue.html).toContain('A suggested call')
    expect(queue.html).not.toContain('Typed by an editor')
    expect(queue.html.indexOf('Counter-drone pilots')).toBeLessThan(queue.html.indexOf('A suggested call'))
    expect(queue.html).toContain(`href="/admin/review/${held.id}"`)

    const screen = await t.page(`/admin/review/${held.id}`, editor)
    expect(screen.status).toBe(200)
    expect(screen.html).not.toContain('<script>steal')
    expect(screen.html).toContain('&lt;script&gt;steal(&quot;x&quot;)&lt;/script&gt;')
    expect(screen.html).toContain('&lt;b&gt;2027&lt;/b&gt;')
    expect(screen.html).toMatch(/<mark title="Evidence for T13 UAVs, Drones[^"]*">Counter-drone<\/mark>/)
    expect(screen.html).toMatch(/<mark title="Evidence for [^"]*T13 UAVs, Drones[^"]*">UAVs<\/mark>/)
    expect(tickedFeatures(screen.html)).toEqual(['T13'])
    expect(screen.html).toMatch(/id="feature-T13-note">Suggested \([\d.]+\): Counter-drone, UAVs/)
    expect(screen.html).toContain('aria-describedby="feature-T13-note"')
    expect(screen.html).toContain('Publish with these features')
  })

  it('saving publishes a held instrument; a form without features, or a stale one, is shown again', async () => {
    const t = await webContext()
    const held = await seedAt(t, syncedContent({}, { published: false }))
    const editor = await t.signIn('editor', 'erin')
    expect((await t.page(`/instruments/${held.id}`)).status).toBe(404)

    const empty = await t.post(`/admin/review/${held.id}`, { version: '1' }, editor)
    expect(empty.status).toBe(400)
    expect(empty.html).toContain('tick at least one feature')

    const saved = await t.post(`/admin/review/${held.id}`, { version: '1', features: ['T13', 'P3'] }, editor)
    expect(saved.status).toBe(303)
    expect(saved.headers.get('location')).toBe('/admin/review?done=reviewed')
    expect(await t.store.get(held.id)).toMatchObject({
      published: true,
      featureOrigin: 'editor',
      features: ['T13', 'P3'],
      updatedBy: 'erin',
      source: held.source,
    })
    expect((await t.page(`/instruments/${held.id}`)).status).toBe(200)
    expect((await t.page('/admin/review?done=reviewed', editor)).html).toContain('Nothing waits for review.')

    // A second tab, still at version 1: someone (here, the same editor) reviewed it meanwhile.
    const stale = await t.post(`/admin/review/${held.id}`, { version: '1', features: ['T1'] }, editor)
    expect(stale.status).toBe(409)
    expect(stale.html).toContain('This instrument is not waiting for review')
    expect((await t.store.get(held.id))?.features).toEqual(['T13', 'P3'])
    const reviewedAgain = await t.page(`/admin/review/${held.id}`, editor)
    expect(reviewedAgain.html).toContain('This instrument is not waiting for review')

    const other = await seedAt(t, syncedContent(), '2026-11-03T08:00:00Z')
    await t.store.replace(
      other.id,
      syncedContent({ name: 'Changed by the sync' }),
      1,
      'sync:eu-ft',
      t.clock.now(),
    )
    const conflict = await t.post(`/admin/review/${other.id}`, { version: '1', features: ['T1'] }, editor)
    expect(conflict.status).toBe(409)
    expect(conflict.html).toContain('Someone else saved this instrument first')
    expect((await t.store.get(other.id))?.features).toEqual(['T13', 'T14'])
  })

  it('a national contact point reviews and edits only their countries; elsewhere the page is the 403 problem', async () => {
    const t = await webContext()
    const danish = await seedAt(t, syncedContent({ name: 'Danish call', origin: 'national', country: 'DK' }))
    const swedish = await seedAt(
      t,
      syncedContent({ name: 'Swedish call', origin: 'national', country: 'SE' }),
    )
    const contact = await t.signIn('editor', 'dk-contact', 'dk, no')

    const queue = await t.page('/admin/review', contact)
    expect(queue.html).toContain('Signed in as <strong>dk-contact</strong> (editor for DK, NO)')
    expect(queue.html).toContain('Danish call')
    expect(queue.html).not.toContain('Swedish call')

    for (const path of [`/admin/review/${swedish.id}`, `/admin/instruments/${swedish.id}/edit`]) {
      const refused = await t.page(path, contact)
      expect(refused.status, path).toBe(403)
      expect(refused.html).toContain('You may edit only national or regional instruments of DK, NO')
    }
    expect((await t.page(`/admin/review/${danish.id}`, contact)).status).toBe(200)

    const list = await t.page('/admin', contact)
    expect(list.html).toContain(`href="/admin/instruments/${danish.id}/edit"`)
    expect(list.html).not.toContain(`href="/admin/instruments/${swedish.id}/edit"`)

    const international = await t.post(
      '/admin/instruments',
      {
        name: 'My international call',
        kind: 'call',
        origin: 'international',
        url: 'https://example.org',
        features: ['T1'],
      },
      contact,
    )
    expect(international.status).toBe(403)
    expect(international.html).toContain('id="country-error"')
    expect(international.html).toContain('this is an international instrument')
    expect(international.html).toContain('value="My international call"')

    const badCountries = await t.app.request('/admin/sign-in', {
      method: 'POST',
      headers: { origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'x', role: 'editor', countries: 'Denmark' }),
    })
    expect(badCountries.status).toBe(400)
    expect(await badCountries.text()).toContain('ISO 3166-1 alpha-2 country codes only')
  })

  it('the edit form keeps the cut-offs of a multiple cut-off call', async () => {
    const t = await webContext()
    const cutOffs = ['2027-01-15T17:00:00+01:00', '2027-04-15T17:00:00+02:00']
    const call = await t.store.create(
      instrumentInput({ cutOffs, deadline: '2027-04-15T17:00:00+02:00' }),
      'seed',
      t.clock.now(),
    )
    const admin = await t.signIn('admin')
    const edit = await t.page(`/admin/instruments/${call.id}/edit`, admin)
    expect(edit.html).toContain(`${cutOffs[0]}\n${cutOffs[1]}</textarea>`)
    const values = formValuesOf(call)
    const saved = await t.post(
      `/admin/instruments/${call.id}`,
      { ...values, name: 'Renamed', version: '1' } as Record<string, string | string[]>,
      admin,
    )
    expect(saved.status).toBe(303)
    expect(await t.store.get(call.id)).toMatchObject({ name: 'Renamed', cutOffs })
  })
})

describe('public pages and suggested features', () => {
  it('a held instrument is not found; suggested features are said to be suggested on the detail page, in search and in matches', async () => {
    const t = await webContext()
    // Held with other features, so that only the published suggested call matches T13 below.
    const held = await seedAt(t, syncedContent({ features: ['G1'] }, { published: false }))
    const suggested = await seedAt(t, syncedContent({ name: 'Suggested drone call' }))
    const typed = await t.store.create(
      instrumentInput({ name: 'Typed drone call', features: ['T13'] }),
      'seed',
      t.clock.now(),
    )

    const hidden = await t.page(`/instruments/${held.id}`)
    expect(hidden.status).toBe(404)
    expect(hidden.html).toContain('Instrument not found')

    const detail = await t.page(`/instruments/${suggested.id}`)
    expect(detail.html).toContain('Features suggested automatically')
    expect((await t.page(`/instruments/${typed.id}`)).html).not.toContain('Features suggested automatically')

    const search = await t.page('/?q=suggested+drone')
    expect(search.html).toContain('Suggested drone call')
    expect(search.html).toContain('<span class="note">Features suggested automatically</span>')
    const match = await t.page('/match?features=T13')
    expect(match.html).toContain('Suggested drone call')
    expect(match.html.split('Features suggested automatically').length - 1).toBe(1)
  })
})

describe('the match page: describe your project', () => {
  const description = 'We build a counter-drone radar that detects UAVs near airports.'

  it('ticks the features a description mentions, shows why, ranks by them; the user’s own ticks then win', async () => {
    const t = await webContext()
    const now = t.clock.now()
    await t.store.create(instrumentInput({ name: 'Drone call', features: ['T13', 'T14'] }), 'seed', now)
    await t.store.create(instrumentInput({ name: 'Crypto call', features: ['T3'] }), 'seed', now)

    const described = await t.page(`/match?description=${encodeURIComponent(description)}`)
    expect(described.status).toBe(200)
    expect(described.html).toContain(`${description}</textarea>`)
    expect(tickedFeatures(described.html)).toContain('T13')
    expect(described.html).toContain('Features your description mentions')
    expect(described.html).toMatch(
      /UAVs, Drones<\/strong> <span class="muted">\(T13\)<\/span>:.*<mark>counter-drone<\/mark>/,
    )
    expect(described.html).toContain('id="feature-T13-note">From your description: counter-drone')
    expect(described.html).toContain('Drone call')
    expect(described.html).not.toContain('Crypto call')

    const adjusted = await t.page(`/match?description=${encodeURIComponent(description)}&features=T3`)
    expect(tickedFeatures(adjusted.html)).toEqual(['T3'])
    expect(adjusted.html).toContain('Crypto call')
    expect(adjusted.html).not.toContain('>Drone call<')

    const askedAgain = await t.page(
      `/match?description=${encodeURIComponent(description)}&features=T3&action=suggest`,
    )
    expect(tickedFeatures(askedAgain.html)).toEqual(expect.arrayContaining(['T3', 'T13']))
    expect(askedAgain.html).toContain('>Drone call<')
  })

  it('says what is wrong with a missing, unrecognisable or overlong description, next to the field', async () => {
    const t = await webContext()
    const empty = await t.page('/match?action=suggest&description=')
    expect(empty.status).toBe(400)
    expect(empty.html).toContain('id="description-error"')
    expect(empty.html).toContain('Describe your project first')

    const vague = await t.page('/match?description=Hello+there')
    expect(vague.status).toBe(400)
    expect(vague.html).toContain('No feature recognised in your description')
    expect(vague.html).toContain('No feature was recognised in your description: tick the features')

    const long = await t.page(`/match?description=${'drone%20'.repeat(400)}`)
    expect(long.status).toBe(400)
    expect(long.html).toContain('at most 2000 characters')
  })
})
