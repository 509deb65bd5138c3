import { describe, expect, it } from 'vitest'
import { createApp } from '../../functions/api/app'
import { LiveCatalogue } from '../../shared/catalogue/search/live-catalogue'
import { createDeps } from '../../shared/deps'
import { meterCapacity } from '../../shared/platform/dynamodb'
import { silentLogger } from '../../shared/platform/logger'
import { createTestContext, type TestContext } from '../support/context'
import { instrumentBody } from '../support/factories'
import { createWebContext } from '../web/web-context'

/**
 * Deployed search instances trust their catalogue for up to CATALOGUE_MAX_STALENESS_MS; an editor
 * still sees their own change on their next request, even when another instance serves it.
 */

const STALENESS_MS = 1_000

/** A second API instance on the same table, with its own catalogue and a clock the test moves. */
function anotherInstance(t: TestContext) {
  let now = 0
  const client = t.client
  const catalogue = new LiveCatalogue(t.store, {
    maxStalenessMs: STALENESS_MS,
    // A microsecond passes between any two readings, as on a real monotonic clock.
    monotonicNow: () => (now += 0.001),
  })
  const app = createApp(
    createDeps(t.config, {
      client,
      verifier: t.deps.verifier,
      clock: t.clock,
      logger: silentLogger,
      catalogue,
    }),
  )
  const names = async (headers: Record<string, string> = {}) => {
    const response = await app.request('/v1/instruments?sort=name', { headers })
    expect(response.status).toBe(200)
    return ((await response.json()) as { items: { name: string }[] }).items.map((item) => item.name)
  }
  return { names, advance: (ms: number) => (now += ms), catalogue }
}

async function context() {
  const t = await createTestContext({ env: { CATALOGUE_MAX_STALENESS_MS: String(STALENESS_MS) } })
  const other = anotherInstance(t)
  expect(await other.names()).toEqual([])
  const created = await t.call('POST', '/v1/instruments', {
    role: 'editor',
    body: instrumentBody({ name: 'Fresh' }),
  })
  expect(created.status).toBe(201)
  return { t, other, created }
}

describe('the staleness bound and read-your-writes', () => {
  it('anonymous readers see a change within the staleness bound, without reading the version item before', async () => {
    const { t, other } = await context()
    const meter = meterCapacity(t.client)
    expect(await other.names()).toEqual([])
    expect(meter.read).toBe(0)
    other.advance(STALENESS_MS)
    expect(await other.names()).toEqual(['Fresh'])
  })

  it('a write answers with the catalogue version it produced, as a header and a short-lived cookie', async () => {
    const { t, created } = await context()
    expect(created.headers.get('x-catalogue-version')).toBe('1')
    const cookie = created.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^ff_catalogue_version=1;/)
    expect(cookie).toMatch(/Max-Age=60/)
    expect(cookie).toMatch(/HttpOnly/)

    const refused = await t.call('PUT', `/v1/instruments/${created.json.id}`, {
      role: 'editor',
      headers: { 'if-match': '"7"' },
      body: instrumentBody(),
    })
    expect(refused.status).toBe(412)
    expect(refused.headers.get('x-catalogue-version')).toBeNull()
    // Anonymous requests, even writes to public endpoints, carry no version.
    const match = await t.call('POST', '/v1/match', { body: { features: ['T1'] } })
    expect(match.status).toBe(200)
    expect(match.headers.get('x-catalogue-version')).toBeNull()
  })

  it('a request carrying that version is served at least that version, by the header or the cookie', async () => {
    const { other, created } = await context()
    const version = created.headers.get('x-catalogue-version') as string
    expect(await other.names({ 'x-catalogue-min-version': version })).toEqual(['Fresh'])

    const second = await context()
    expect(await second.other.names({ cookie: `ff_catalogue_version=${version}` })).toEqual(['Fresh'])
    // A value that is not a version is ignored, not an error.
    expect(await second.other.names({ 'x-catalogue-min-version': 'soon' })).toEqual(['Fresh'])
  })

  it('a signed-in request checks the table whatever the window says', async () => {
    const { t, other } = await context()
    expect(await other.names({ authorization: `Bearer ${await t.token(['editor'])}` })).toEqual(['Fresh'])
  })

  it('a web form that changes the catalogue sets the cookie on its redirect', async () => {
    const t = await createWebContext()
    const editor = await t.signIn('editor')
    const created = await t.post(
      '/admin/instruments',
      {
        name: 'Form call',
        kind: 'call',
        origin: 'national',
        country: 'DK',
        url: 'https://example.org/call',
        deadline: '2027-06-30',
        features: 'T1',
      },
      editor,
    )
    expect(created.status).toBe(303)
    expect(created.headers.get('set-cookie')).toMatch(/ff_catalogue_version=1;/)
  })
})
