import { afterEach, describe, expect, it } from 'vitest'
import { ASSETS } from '../../functions/web/assets'
import { createTestContext } from '../support/context'
import { instrumentInput } from '../support/factories'
import { createWebContext, type WebContext } from './web-context'

let contexts: WebContext[] = []
afterEach(async () => {
  await Promise.all(contexts.map((t) => t.cleanup()))
  contexts = []
})
async function webContext(options?: Parameters<typeof createWebContext>[0]) {
  const t = await createWebContext(options)
  contexts.push(t)
  return t
}

/** Number of times a substring occurs. */
const count = (html: string, needle: string) => html.split(needle).length - 1

describe('public pages', () => {
  it('search: every feature is a labelled checkbox named `features`, with facet counts, and ticking filters', async () => {
    const t = await webContext()
    const now = t.clock.now()
    await t.store.create(instrumentInput({ name: 'Drone call', features: ['T13', 'P3'] }), 'seed', now)
    await t.store.create(instrumentInput({ name: 'Crypto call', features: ['T3', 'P12'] }), 'seed', now)
    await t.store.create(
      instrumentInput({ name: 'Quantum programme', features: ['T12', 'P12'], kind: 'programme' }),
      'seed',
      now,
    )

    const all = await t.page('/')
    expect(all.status).toBe(200)
    expect(all.headers.get('content-type')).toMatch(/^text\/html/)
    expect(count(all.html, 'name="features"')).toBe(54)
    expect(all.html).toContain('>Robotics &amp; kinematics<')
    for (const heading of ['Techniques', 'Process', 'Development support', 'General']) {
      expect(all.html).toContain(`<legend>${heading}</legend>`)
    }
    expect(all.html).toContain('3 instruments found')
    // P12 is on two of the three.
    expect(all.html).toMatch(/id="feature-P12"[^>]*\/?>Cybersecurity<\/label><span class="count"[^>]*>2</)

    const filtered = await t.page('/?features=P12&features=T3&match=all')
    expect(filtered.status).toBe(200)
    expect(filtered.html).toContain('1 instrument found')
    expect(filtered.html).toContain('Crypto call')
    expect(filtered.html).not.toContain('Quantum programme')
    expect(filtered.html).toMatch(/id="feature-T3"[^>]*checked/)

    const none = await t.page('/?features=D5')
    expect(none.html).toContain('No instruments match these filters')
    expect(none.html).toContain('Clear all filters')
  })

  it('search: a bad parameter is shown next to its field, never as JSON or a 5xx', async () => {
    const t = await webContext()
    const page = await t.page('/?features=ZZ9&limit=1000&country=')
    expect(page.status).toBe(400)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.html).toContain('id="features-error"')
    expect(page.html).toContain('unknown feature code')
    expect(page.html).toContain('id="limit-error"')
    expect(page.html).toContain('Some filters were not understood')
  })

  it('paginates with links that keep the other parameters', async () => {
    const t = await webContext()
    for (let i = 0; i < 12; i++) {
      await t.store.create(
        instrumentInput({ name: `Call ${String(i).padStart(2, '0')}` }),
        'seed',
        t.clock.now(),
      )
    }
    const first = await t.page('/?sort=name&limit=10')
    expect(first.html).toContain('Items 1-10 of 12')
    expect(first.html).toContain('href="/?sort=name&amp;limit=10&amp;page=2"')
    const second = await t.page('/?sort=name&limit=10&page=2')
    expect(second.html).toContain('Items 11-12 of 12')
    expect(second.html).toContain('Call 11')
    expect(second.html).not.toContain('Call 09')
  })

  it('escapes catalogue content: a <script> in a name renders as text', async () => {
    const t = await webContext()
    const record = await t.store.create(
      instrumentInput({
        name: '<script>alert(1)</script> call',
        description: '<img src=x onerror=alert(2)>',
        funder: '"><b>bold</b>',
      }),
      'seed',
      t.clock.now(),
    )
    for (const path of ['/', `/instruments/${record.id}`, '/match?features=T1']) {
      const page = await t.page(path)
      expect(page.status).toBe(200)
      expect(page.html).not.toContain('<script>alert(1)</script>')
      expect(page.html).not.toContain('<img src=x')
      expect(page.html).not.toContain('<b>bold</b>')
      expect(page.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; call')
    }
  })

  it('detail page: the facts, features by category and the official link; 404 unknown; 410 closed or deleted', async () => {
    const t = await webContext({ now: '2027-03-31T21:00:00.000Z' })
    const now = t.clock.now()
    const record = await t.store.create(
      instrumentInput({
        name: 'Cyber grant',
        deadline: '2027-03-31',
        features: ['T1', 'P12', 'D2', 'G4'],
        budget: { min: 50_000, max: 250_000, currency: 'EUR' },
        targetOrganisations: ['sme', 'startup'],
        applicationDomains: ['Healthcare'],
        programme: 'Grand Solutions',
      }),
      'seed',
      now,
    )
    const page = await t.page(`/instruments/${record.id}`)
    expect(page.status).toBe(200)
    expect(page.html).toContain('<h1>Cyber grant</h1>')
    expect(page.html).toContain('href="https://innovationsfonden.dk/en"')
    expect(page.html).toContain('closes today')
    expect(page.html).toContain('€50,000 to €250,000')
    expect(page.html).toContain('SMEs, Start-ups')
    expect(page.html).toContain('Healthcare')
    for (const heading of ['Techniques', 'Process', 'Development support', 'General']) {
      expect(page.html).toContain(`<h3>${heading}</h3>`)
    }

    expect((await t.page('/instruments/nope')).status).toBe(404)

    t.clock.set('2027-03-31T22:00:00.000Z') // midnight in Brussels: closed
    const closed = await t.page(`/instruments/${record.id}`)
    expect(closed.status).toBe(410)
    expect(closed.html).toContain('This call has closed')

    const other = await t.store.create(instrumentInput({ name: 'Removed one' }), 'seed', t.clock.now())
    await t.store.archive(other.id, { expectedVersion: 1, reason: 'deleted', actor: 'x', now: t.clock.now() })
    const removed = await t.page(`/instruments/${other.id}`)
    expect(removed.status).toBe(410)
    expect(removed.html).toContain('removed from the catalogue')
  })

  it('match: ranks by score with matched and missing features; no feature ticked is an inline error', async () => {
    const t = await webContext()
    const now = t.clock.now()
    await t.store.create(instrumentInput({ name: 'Full fit', features: ['T1', 'P3', 'P12'] }), 'seed', now)
    await t.store.create(instrumentInput({ name: 'Half fit', features: ['T1', 'G4'] }), 'seed', now)
    await t.store.create(instrumentInput({ name: 'No fit', features: ['D5'] }), 'seed', now)
    const page = await t.page('/match?features=T1&features=P3&features=P12')
    expect(page.status).toBe(200)
    expect(page.html.indexOf('Full fit')).toBeLessThan(page.html.indexOf('Half fit'))
    expect(page.html).not.toContain('No fit')
    expect(page.html).toContain('100%')
    expect(page.html).toContain('33%')
    expect(page.html).toContain('2 matching instruments')

    const empty = await t.page('/match?country=DK')
    expect(empty.status).toBe(400)
    expect(empty.html).toContain('Tick at least one feature')

    // A project in Denmark: Danish and international instruments, not Norwegian ones.
    await t.store.create(
      instrumentInput({
        name: 'EU-wide fit',
        origin: 'international',
        country: undefined,
        features: ['T1'],
      }),
      'seed',
      now,
    )
    await t.store.create(
      instrumentInput({ name: 'Norwegian fit', country: 'NO', features: ['T1'] }),
      'seed',
      now,
    )
    const inDenmark = await t.page('/match?features=T1&country=DK')
    expect(inDenmark.html).toContain('EU-wide fit')
    expect(inDenmark.html).toContain('Full fit')
    expect(inDenmark.html).not.toContain('Norwegian fit')
  })

  it('serves the stylesheet and script at hashed URLs with a year-long cache', async () => {
    const t = await webContext()
    const home = await t.page('/')
    expect(home.html).toContain(`href="${ASSETS.styles.path}"`)
    expect(home.html).toContain(`src="${ASSETS.script.path}"`)
    expect(home.html).not.toMatch(/<script>|<style|style="/)
    const css = await t.app.request(ASSETS.styles.path)
    expect(css.status).toBe(200)
    expect(css.headers.get('content-type')).toContain('text/css')
    expect(css.headers.get('cache-control')).toContain('immutable')
    expect(await css.text()).toContain('.search-layout')
    const js = await t.app.request(ASSETS.script.path)
    expect(js.headers.get('content-type')).toContain('javascript')
  })

  it('serves an icon: linked from every page at a hashed URL, and at /favicon.ico for browsers that ask', async () => {
    const t = await webContext()
    const home = await t.page('/')
    expect(home.html).toContain(`<link rel="icon" href="${ASSETS.favicon.path}" type="image/svg+xml"/>`)
    const hashed = await t.app.request(ASSETS.favicon.path)
    expect(hashed.status).toBe(200)
    expect(hashed.headers.get('content-type')).toBe('image/svg+xml')
    expect(hashed.headers.get('cache-control')).toContain('immutable')
    const svg = await hashed.text()
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    const ico = await t.app.request('/favicon.ico')
    expect(ico.status).toBe(200)
    expect(ico.headers.get('content-type')).toBe('image/svg+xml')
    expect(ico.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/)
    expect(await ico.text()).toBe(svg)
  })
})

describe('admin pages', () => {
  it('require sign-in and send the browser to the dev form, which exists only with the dev issuer', async () => {
    const t = await webContext()
    const anonymous = await t.page('/admin')
    expect(anonymous.status).toBe(303)
    expect(anonymous.headers.get('location')).toBe('/admin/sign-in?next=%2Fadmin')
    expect((await t.page('/admin/sign-in')).html).toContain('local development')

    const session = await t.signIn('admin')
    expect(session.setCookie).toMatch(/HttpOnly/)
    expect(session.setCookie).toMatch(/SameSite=Strict/)
    expect(session.setCookie).toMatch(/Path=\//)
    const list = await t.page('/admin', session)
    expect(list.status).toBe(200)
    expect(list.headers.get('cache-control')).toBe('no-store')
    expect(list.html).toContain('Signed in as <strong>admin-user</strong>')

    expect((await t.page('/admin', { cookie: 'ff_session=not.a.jwt' })).status).toBe(303)

    // Without the dev issuer (a deployed stack without Cognito settings) there is no sign-in form.
    const plain = await createTestContext()
    expect((await plain.app.request('/admin/sign-in')).status).toBe(404)
    const post = await plain.app.request('/admin/sign-in', {
      method: 'POST',
      headers: { origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=x&role=admin',
    })
    expect(post.status).toBe(404)
    expect(post.headers.get('set-cookie')).toBeNull()
  })

  it('refuse cross-site posts and posts without the CSRF token', async () => {
    const t = await webContext()
    const session = await t.signIn('admin')
    const crossSite = await t.post('/admin/instruments', { name: 'x' }, session, {
      origin: 'https://evil.example',
    })
    expect(crossSite.status).toBe(403)
    const noOrigin = await t.post('/admin/instruments', { name: 'x' }, session, {})
    expect(noOrigin.status).toBe(403)
    const noToken = await t.post(
      '/admin/instruments',
      { name: 'x' },
      { cookie: session.cookie, csrf: 'wrong' },
    )
    expect(noToken.status).toBe(403)
    expect(noToken.html).toContain('security token')
    const signInFromElsewhere = await t.post('/admin/sign-in', { name: 'x', role: 'admin' }, undefined, {
      origin: 'https://evil.example',
    })
    expect(signInFromElsewhere.status).toBe(403)
  })

  it('create shows each validation error next to its field, then saves; editors cannot delete', async () => {
    const t = await webContext()
    const editor = await t.signIn('editor')
    const invalid = await t.post(
      '/admin/instruments',
      {
        name: '',
        kind: 'call',
        origin: 'international',
        country: 'DK',
        url: 'ftp://x',
        budgetMin: '10',
        budgetMax: '5',
      },
      editor,
    )
    expect(invalid.status).toBe(400)
    for (const field of ['name', 'country', 'url', 'features', 'budgetMin']) {
      expect(invalid.html).toContain(`id="${field}-error"`)
    }
    expect(invalid.html).toMatch(/id="field-country"[^>]*aria-invalid="true"/)
    expect(invalid.html).toContain('must be absent for international instruments')
    expect(invalid.html).toContain('tick at least one feature')

    const past = await t.post(
      '/admin/instruments',
      {
        name: 'Late',
        kind: 'call',
        origin: 'national',
        country: 'DK',
        url: 'https://example.org',
        deadline: '2020-01-01',
        features: 'T1',
      },
      editor,
    )
    expect(past.status).toBe(422)
    expect(past.html).toContain('id="deadline-error"')

    const created = await t.post(
      '/admin/instruments',
      {
        name: 'New call',
        kind: 'call',
        origin: 'national',
        country: 'DK',
        url: 'https://example.org/call',
        deadline: '2027-06-30',
        features: ['P12', 'T1'],
        targetOrganisations: ['sme'],
        applicationDomains: 'Energy\nHealth',
        budgetMax: '100000',
        budgetCurrency: 'EUR',
      },
      editor,
    )
    expect(created.status).toBe(303)
    expect(created.headers.get('location')).toBe('/admin?done=created')
    const { records } = await t.store.loadCatalogue()
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({
      name: 'New call',
      features: ['T1', 'P12'],
      applicationDomains: ['Energy', 'Health'],
      budget: { max: 100000, currency: 'EUR' },
      createdBy: 'editor-user',
    })
    const list = await t.page('/admin?done=created', editor)
    expect(list.html).toContain('The instrument was added')
    expect(list.html).toContain('New call')
    expect(list.html).not.toContain('/delete"')
    const id = records[0]!.id
    const forbidden = await t.post(`/admin/instruments/${id}/delete`, { version: '1' }, editor)
    expect(forbidden.status).toBe(403)
  })

  it('edit with a stale version shows the conflict plainly; delete, restore and the audit log', async () => {
    const t = await webContext()
    const admin = await t.signIn('admin', 'alice')
    const record = await t.store.create(instrumentInput({ name: 'Shared call' }), 'seed', t.clock.now())
    const edit = await t.page(`/admin/instruments/${record.id}/edit`, admin)
    expect(edit.status).toBe(200)
    expect(edit.html).toContain('name="version" value="1"')
    expect(edit.html).toContain('value="Shared call"')

    const fields = {
      name: 'Shared call (edited)',
      kind: 'call',
      origin: 'national',
      country: 'DK',
      url: 'https://example.org',
      features: ['T1'],
      version: '1',
    }
    expect((await t.post(`/admin/instruments/${record.id}`, fields, admin)).status).toBe(303)
    const stale = await t.post(`/admin/instruments/${record.id}`, { ...fields, name: 'Mine' }, admin)
    expect(stale.status).toBe(409)
    expect(stale.html).toContain('Someone else saved this instrument first')
    expect(stale.html).toContain('now at version 2')
    expect(stale.html).toContain(`href="/admin/instruments/${record.id}/edit"`)
    expect(stale.html).toContain('value="Mine"')
    expect((await t.store.get(record.id))?.name).toBe('Shared call (edited)')

    expect((await t.post(`/admin/instruments/${record.id}/delete`, { version: '1' }, admin)).status).toBe(409)
    const deleted = await t.post(`/admin/instruments/${record.id}/delete`, { version: '2' }, admin)
    expect(deleted.status).toBe(303)
    expect(await t.store.get(record.id)).toBeUndefined()

    const archive = await t.page('/admin/archive', admin)
    expect(archive.html).toContain('Shared call (edited)')
    expect(archive.html).toContain('Deleted')
    const badDeadline = await t.post(`/admin/archive/${record.id}/restore`, { deadline: 'soon' }, admin)
    expect(badDeadline.status).toBe(400)
    expect(badDeadline.html).toContain(`id="deadline-${record.id}-error"`)
    const restored = await t.post(`/admin/archive/${record.id}/restore`, { deadline: '2027-12-31' }, admin)
    expect(restored.status).toBe(303)
    expect((await t.store.get(record.id))?.deadline).toBe('2027-12-31')

    const audit = await t.page('/admin/audit', admin)
    expect(audit.status).toBe(200)
    const actions = [...audit.html.matchAll(/<td>(created|updated|deleted|restored)<\/td>/g)].map((m) => m[1])
    expect(actions).toEqual(['restored', 'deleted', 'updated', 'created'])
    expect(audit.html).toContain('<td>alice</td>')
  })
})
