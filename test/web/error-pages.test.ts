import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../functions/api/app'
import { toProblem } from '../../functions/api/lib/on-error'
import { WriteContention } from '../../shared/catalogue/errors'
import { LiveCatalogue } from '../../shared/catalogue/search/live-catalogue'
import type { InstrumentStore } from '../../shared/catalogue/store/instrument-store'
import { InvalidCursor } from '../../shared/platform/cursor'
import type { Logger } from '../../shared/platform/logger'
import { instrumentInput } from '../support/factories'
import { createWebContext, type WebContext } from './web-context'

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

/** The store with one method replaced; every other call goes to the real one. */
function storeWith<K extends keyof InstrumentStore>(
  store: InstrumentStore,
  name: K,
  replacement: InstrumentStore[K],
): InstrumentStore {
  return new Proxy(store, {
    get(target, property) {
      if (property === name) return replacement
      const value = Reflect.get(target, property)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

function capturingLogger() {
  const errors: { message: string; fields?: Record<string, unknown> }[] = []
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (message, fields) => errors.push({ message, fields }),
    withLambdaContext: () => {},
  }
  return { logger, errors }
}

describe('errors on web pages are the API problem, as a page', () => {
  it('a bad page link: the same status, title and detail as the API gives for it', async () => {
    const t = await webContext()
    const admin = await t.signIn('admin')
    const expected = toProblem(new InvalidCursor())
    expect(expected.status).toBe(400)

    const page = await t.page('/admin/audit?cursor=not-a-cursor', admin)
    expect(page.status).toBe(expected.status)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.headers.get('cache-control')).toBe('no-store')
    expect(page.html).toContain(`<h1>${expected.title}</h1>`)
    expect(page.html).toContain(expected.detail)

    const api = await t.call('GET', '/v1/admin/audit?cursor=not-a-cursor', { role: 'admin' })
    expect(api.status).toBe(page.status)
    expect(api.json).toMatchObject({ title: expected.title, detail: expected.detail })
  })

  it('write contention on a page is a 503 page that asks to retry, like the API', async () => {
    const t = await webContext()
    const busy = storeWith(t.store, 'get', async () => {
      throw new WriteContention('The catalogue is busy; try again.')
    })
    const app = createApp({ ...t.deps, store: busy })
    const page = await app.request('/instruments/01J0000000000000000000000A')
    expect(page.status).toBe(503)
    expect(page.headers.get('retry-after')).toBe('1')
    expect(await page.text()).toContain('The catalogue is busy; try again.')
    const api = await app.request('/v1/instruments/01J0000000000000000000000A')
    expect(api.status).toBe(503)
    expect(api.headers.get('retry-after')).toBe('1')
  })

  it('an unexpected failure is a 500 page without internals, logged once through deps.logger', async () => {
    const t = await webContext()
    const { logger, errors } = capturingLogger()
    const broken = storeWith(t.store, 'get', async () => {
      throw new Error('socket hang up at 10.0.0.7')
    })
    const app = createApp({ ...t.deps, store: broken, logger })
    const page = await app.request('/instruments/01J0000000000000000000000A')
    const html = await page.text()
    expect(page.status).toBe(500)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(html).toContain(toProblem(new Error('x')).title)
    expect(html).not.toContain('10.0.0.7')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({
      message: 'unhandled error',
      fields: {
        method: 'GET',
        path: '/instruments/01J0000000000000000000000A',
        detail: 'socket hang up at 10.0.0.7',
      },
    })
  })

  it('a missing role is a 403 problem shown as a page that names the signed-in user', async () => {
    const t = await webContext()
    const editor = await t.signIn('editor', 'erin')
    const page = await t.page('/admin/archive', editor)
    expect(page.status).toBe(403)
    expect(page.html).toContain('<h1>You cannot open this page</h1>')
    expect(page.html).toContain('This page needs the admin role. You are signed in as erin.')
  })
})

describe('one catalogue snapshot per page', () => {
  it('the search and match pages read the catalogue version once each', async () => {
    const t = await webContext()
    await t.store.create(instrumentInput({ name: 'Counted call', features: ['T1'] }), 'seed', t.clock.now())
    let versionReads = 0
    const counting = storeWith(t.store, 'catalogueVersion', async () => {
      versionReads += 1
      return t.store.catalogueVersion()
    })
    const app = createApp({ ...t.deps, store: counting, catalogue: new LiveCatalogue(counting) })
    // A warm instance: the cold load reads the version inside the catalogue load itself.
    expect((await app.request('/')).status).toBe(200)
    for (const path of ['/?features=T1', '/match?features=T1', '/match']) {
      versionReads = 0
      const page = await app.request(path)
      expect(page.status, path).toBe(200)
      expect(versionReads, path).toBe(1)
    }
    expect(await (await app.request('/?features=T1')).text()).toContain('Counted call')
  })
})
