import { describe, expect, it } from 'vitest'
import { addressHash } from '../../shared/subscriptions/email-address'
import { createTestContext, type TestContext } from '../support/context'
import { instrumentBody, projectBody } from '../support/factories'
import { startTestMailServer, type TestMailServer } from '../support/mail-server'
import { TEST_AUDIENCE, TEST_ISSUER } from '../support/tokens'

/**
 * Every route x every kind of caller, from one table. A route in /openapi.json that is missing from
 * ROUTES fails the test, so a new route cannot ship without its access rule being stated and proven.
 */

type Access = 'public' | 'editor' | 'admin'

interface PreparedRequest {
  path: string
  body?: string
  contentType?: string
  ifMatch?: string
  /** The caller's network address (as API Gateway reports it): subscription limits count per client. */
  sourceIp?: string
}

interface RouteRule {
  access: Access
  /** Project routes: the caller's organisation (`custom:org`) is part of the key. */
  organisation?: 'item' | 'collection'
  /**
   * Instrument writes: an editor limited to countries (`custom:countries`) may write only national
   * or regional instruments of them. What `prepare` seeds and sends is national, of Denmark.
   */
  countryScoped?: boolean
  ok: number
  /** The route sends email: the app gets an SMTP server (a real one, in the test process). */
  mail?: boolean
  /** Seeds what the request needs (fresh for every cell) and builds it. */
  prepare: (seed: Seed) => Promise<PreparedRequest>
}

const OWN_ORG = 'acme'
const OTHER_ORG = 'globex'

const json = (body: unknown) => ({ body: JSON.stringify(body), contentType: 'application/json' })
const CSV_HEADER = 'externalId,name,description,kind,origin,country,url,features\n'
let requests = 0
/** A fresh address and client per request, so that no rate limit is what the test observes. */
const fresh = () => {
  requests += 1
  return {
    email: `matrix${requests}@example.org`,
    sourceIp: `198.51.${Math.floor(requests / 250)}.${requests % 250}`,
  }
}

const ROUTES: Record<string, RouteRule> = {
  'GET /health': { access: 'public', ok: 200, prepare: async () => ({ path: '/health' }) },
  'GET /v1/taxonomy': { access: 'public', ok: 200, prepare: async () => ({ path: '/v1/taxonomy' }) },
  'GET /v1/instruments': {
    access: 'public',
    ok: 200,
    prepare: async () => ({ path: '/v1/instruments?q=cyber' }),
  },
  'GET /v1/instruments/{id}': {
    access: 'public',
    ok: 200,
    prepare: async (seed) => ({ path: `/v1/instruments/${(await seed.instrument()).id}` }),
  },
  'POST /v1/match': {
    access: 'public',
    ok: 200,
    prepare: async () => ({ path: '/v1/match', ...json({ features: ['T1'] }) }),
  },
  'POST /v1/features/suggest': {
    access: 'public',
    ok: 200,
    prepare: async () => ({ path: '/v1/features/suggest', ...json({ text: 'A drone for inspection.' }) }),
  },
  'GET /v1/exports/instruments.csv': {
    access: 'public',
    ok: 200,
    prepare: async () => ({ path: '/v1/exports/instruments.csv' }),
  },
  'GET /v1/feeds/instruments.atom': {
    access: 'public',
    ok: 200,
    prepare: async () => ({ path: '/v1/feeds/instruments.atom' }),
  },
  'GET /v1/feeds/deadlines.ics': {
    access: 'public',
    ok: 200,
    prepare: async () => ({ path: '/v1/feeds/deadlines.ics' }),
  },
  'POST /v1/instruments': {
    access: 'editor',
    countryScoped: true,
    ok: 201,
    prepare: async () => ({ path: '/v1/instruments', ...json(instrumentBody()) }),
  },
  'PUT /v1/instruments/{id}': {
    access: 'editor',
    countryScoped: true,
    ok: 200,
    prepare: async (seed) => ({
      path: `/v1/instruments/${(await seed.instrument()).id}`,
      ifMatch: '"1"',
      ...json(instrumentBody()),
    }),
  },
  'DELETE /v1/instruments/{id}': {
    access: 'admin',
    ok: 204,
    prepare: async (seed) => ({ path: `/v1/instruments/${(await seed.instrument()).id}`, ifMatch: '"1"' }),
  },
  'GET /v1/admin/review': {
    access: 'editor',
    ok: 200,
    prepare: async () => ({ path: '/v1/admin/review' }),
  },
  'GET /v1/admin/audit': { access: 'admin', ok: 200, prepare: async () => ({ path: '/v1/admin/audit' }) },
  'GET /v1/admin/archive': { access: 'admin', ok: 200, prepare: async () => ({ path: '/v1/admin/archive' }) },
  'POST /v1/admin/archive/{id}/restore': {
    access: 'admin',
    ok: 200,
    prepare: async (seed) => ({ path: `/v1/admin/archive/${await seed.archived()}/restore`, ...json({}) }),
  },
  'POST /v1/admin/imports': {
    access: 'admin',
    ok: 200,
    prepare: async () => ({
      path: '/v1/admin/imports?dryRun=true',
      body: `${CSV_HEADER}m-1,Matrix call,,call,national,DK,https://example.org,T1;P12\n`,
      contentType: 'text/csv',
    }),
  },
  'GET /v1/admin/imports/{id}': {
    access: 'admin',
    ok: 200,
    prepare: async (seed) => ({ path: `/v1/admin/imports/${await seed.importJob()}` }),
  },
  'GET /v1/projects': {
    access: 'editor',
    organisation: 'collection',
    ok: 200,
    prepare: async () => ({ path: '/v1/projects' }),
  },
  'POST /v1/projects': {
    access: 'editor',
    organisation: 'collection',
    ok: 201,
    prepare: async () => ({ path: '/v1/projects', ...json(projectBody()) }),
  },
  'GET /v1/projects/matrix': {
    access: 'editor',
    organisation: 'collection',
    ok: 200,
    prepare: async () => ({ path: '/v1/projects/matrix' }),
  },
  'GET /v1/projects/matrix.csv': {
    access: 'editor',
    organisation: 'collection',
    ok: 200,
    prepare: async () => ({ path: '/v1/projects/matrix.csv' }),
  },
  'POST /v1/projects/imports': {
    access: 'editor',
    organisation: 'collection',
    ok: 200,
    prepare: async () => ({
      path: '/v1/projects/imports?dryRun=true',
      body: 'name,features\nMatrix project,T1;P12\n',
      contentType: 'text/csv',
    }),
  },
  'GET /v1/projects/{id}': {
    access: 'editor',
    organisation: 'item',
    ok: 200,
    prepare: async (seed) => ({ path: `/v1/projects/${await seed.project()}` }),
  },
  'PUT /v1/projects/{id}': {
    access: 'editor',
    organisation: 'item',
    ok: 200,
    prepare: async (seed) => ({
      path: `/v1/projects/${await seed.project()}`,
      ifMatch: '"1"',
      ...json(projectBody()),
    }),
  },
  'DELETE /v1/projects/{id}': {
    access: 'editor',
    organisation: 'item',
    ok: 204,
    prepare: async (seed) => ({ path: `/v1/projects/${await seed.project()}`, ifMatch: '"1"' }),
  },
  'GET /v1/projects/{id}/matches': {
    access: 'editor',
    organisation: 'item',
    ok: 200,
    prepare: async (seed) => ({ path: `/v1/projects/${await seed.project()}/matches` }),
  },
  'POST /v1/subscriptions': {
    access: 'public',
    ok: 202,
    mail: true,
    prepare: async () => {
      const { email, sourceIp } = fresh()
      return {
        path: '/v1/subscriptions',
        sourceIp,
        ...json({ email, query: 'features=T1', frequency: 'daily' }),
      }
    },
  },
  'POST /v1/subscriptions/confirm': {
    access: 'public',
    ok: 200,
    mail: true,
    prepare: async (seed) => ({
      path: '/v1/subscriptions/confirm',
      ...json({ token: await seed.confirmToken() }),
    }),
  },
  'POST /v1/subscriptions/unsubscribe': {
    access: 'public',
    ok: 200,
    mail: true,
    prepare: async (seed) => ({
      path: '/v1/subscriptions/unsubscribe',
      ...json({ token: await seed.confirmToken() }),
    }),
  },
  'POST /v1/subscriptions/frequency': {
    access: 'public',
    ok: 200,
    mail: true,
    prepare: async (seed) => ({
      path: '/v1/subscriptions/frequency',
      ...json({ token: await seed.unsubscribeToken(), frequency: 'weekly' }),
    }),
  },
  'POST /v1/projects/{id}/subscriptions': {
    access: 'editor',
    organisation: 'item',
    ok: 202,
    mail: true,
    prepare: async (seed) => {
      const { email, sourceIp } = fresh()
      return {
        path: `/v1/projects/${await seed.project()}/subscriptions`,
        sourceIp,
        ...json({ email, frequency: 'weekly' }),
      }
    },
  },
  'GET /v1/projects/{id}/subscriptions': {
    access: 'editor',
    organisation: 'item',
    ok: 200,
    prepare: async (seed) => ({ path: `/v1/projects/${await seed.project()}/subscriptions` }),
  },
  'DELETE /v1/projects/{id}/subscriptions/{watchId}': {
    access: 'editor',
    organisation: 'item',
    ok: 204,
    mail: true,
    prepare: async (seed) => {
      const watch = await seed.projectWatch()
      return { path: `/v1/projects/${watch.projectId}/subscriptions/${watch.watchId}` }
    },
  },
  'GET /v1/admin/subscriptions/stats': {
    access: 'admin',
    ok: 200,
    prepare: async () => ({ path: '/v1/admin/subscriptions/stats' }),
  },
  'POST /v1/admin/subscriptions/suppressions/lift': {
    access: 'admin',
    ok: 200,
    prepare: async (seed) => ({
      path: '/v1/admin/subscriptions/suppressions/lift',
      ...json({ email: await seed.suppressedAddress() }),
    }),
  },
}

type CallerName =
  | 'anonymous'
  | 'bad signature'
  | 'alg none'
  | 'expired'
  | 'not yet valid'
  | 'wrong issuer'
  | 'wrong audience'
  | 'no groups'
  | 'editor'
  | 'editor of the country'
  | 'editor of another country'
  | 'admin'
  | 'admin with countries'
  | 'admin without organisation'
  | 'other organisation'

const CALLERS: CallerName[] = [
  'anonymous',
  'bad signature',
  'alg none',
  'expired',
  'not yet valid',
  'wrong issuer',
  'wrong audience',
  'no groups',
  'editor',
  'editor of the country',
  'editor of another country',
  'admin',
  'admin with countries',
  'admin without organisation',
  'other organisation',
]

const EDITORS = new Set<CallerName>(['editor', 'editor of the country', 'editor of another country'])

const INVALID_TOKENS = new Set<CallerName>([
  'bad signature',
  'alg none',
  'expired',
  'not yet valid',
  'wrong issuer',
  'wrong audience',
])

/** The status a caller must get on a route, derived from the route's rule. */
function expectedStatus(rule: RouteRule, caller: CallerName): number {
  if (rule.access === 'public') return rule.ok
  if (caller === 'anonymous' || INVALID_TOKENS.has(caller)) return 401
  if (caller === 'no groups') return 403
  if (EDITORS.has(caller) && rule.access === 'admin') return 403
  if (caller === 'editor of another country' && rule.countryScoped) return 403
  if (rule.organisation && caller === 'admin without organisation') return 403
  if (rule.organisation === 'item' && caller === 'other organisation') return 404
  return rule.ok
}

interface Seed {
  instrument(): Promise<{ id: string }>
  archived(): Promise<string>
  project(): Promise<string>
  /** The token of a confirmation email's link (the route must have `mail`). */
  confirmToken(): Promise<string>
  /** The token of an unsubscribe link, of a confirmed subscription (the route must have `mail`). */
  unsubscribeToken(): Promise<string>
  /** A confirmed watch of a project of the caller's own organisation (the route must have `mail`). */
  projectWatch(): Promise<{ projectId: string; watchId: string }>
  importJob(): Promise<string>
  /** An address that bounced: never mailed, until an admin lifts that. */
  suppressedAddress(): Promise<string>
}

async function authorization(t: TestContext, caller: CallerName): Promise<string | undefined> {
  const own = { org: OWN_ORG }
  switch (caller) {
    case 'anonymous':
      return undefined
    case 'bad signature':
      return t.issuer.signWithForeignKey({ roles: ['admin'], ...own })
    case 'alg none':
      return `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
        JSON.stringify({
          iss: TEST_ISSUER,
          aud: TEST_AUDIENCE,
          sub: 'x',
          exp: 9_999_999_999,
          'cognito:groups': ['admin'],
          'custom:org': OWN_ORG,
        }),
      ).toString('base64url')}.`
    case 'expired':
      return t.token({ roles: ['admin'], expiresIn: -120, ...own })
    case 'not yet valid':
      return t.token({ roles: ['admin'], notBefore: 600, ...own })
    case 'wrong issuer':
      return t.token({ roles: ['admin'], issuer: 'https://elsewhere.test', ...own })
    case 'wrong audience':
      return t.token({ roles: ['admin'], audience: 'another-client', ...own })
    case 'no groups':
      return t.token({ roles: [], ...own })
    case 'editor':
      return t.token({ roles: ['editor'], ...own })
    case 'editor of the country':
      return t.token({ roles: ['editor'], countries: ['DK', 'SE'], ...own })
    case 'editor of another country':
      return t.token({ roles: ['editor'], countries: ['NO'], ...own })
    case 'admin':
      return t.token({ roles: ['admin'], ...own })
    case 'admin with countries':
      // Admins are never limited to countries, whatever the token says.
      return t.token({ roles: ['admin'], countries: ['NO'], ...own })
    case 'admin without organisation':
      return t.token({ roles: ['admin'] })
    case 'other organisation':
      return t.token({ roles: ['admin'], org: OTHER_ORG })
  }
}

describe('authorisation matrix', () => {
  it('states an access rule for every route in /openapi.json, and nothing else', async () => {
    const t = await createTestContext()
    const doc = (await t.call('GET', '/openapi.json')).json
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    )
    expect(documented.sort()).toEqual(Object.keys(ROUTES).sort())
    for (const [operation, rule] of Object.entries(ROUTES)) {
      const [method, path] = operation.split(' ') as [string, string]
      const secured = Boolean(doc.paths[path][method.toLowerCase()].security)
      expect(secured, `${operation} security in OpenAPI`).toBe(rule.access !== 'public')
    }
  })

  it.each(Object.keys(ROUTES))('%s', async (operation) => {
    const rule = ROUTES[operation] as RouteRule
    const [method] = operation.split(' ') as [string]
    const mail: TestMailServer | undefined = rule.mail ? await startTestMailServer() : undefined
    const t = await createTestContext(mail ? { env: { SMTP_URL: mail.url } } : {})
    const adminOfOwnOrg = await t.token({ roles: ['admin'], org: OWN_ORG })
    const asAdmin = async (verb: string, path: string, body?: unknown, ifMatch?: string) => {
      const response = await t.app.request(path, {
        method: verb,
        headers: {
          authorization: `Bearer ${adminOfOwnOrg}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(ifMatch ? { 'if-match': ifMatch } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      expect(response.status, `seeding ${verb} ${path}`).toBeLessThan(300)
      return response.status === 204 ? undefined : ((await response.json()) as { id: string })
    }
    const seed: Seed = {
      instrument: async () => (await asAdmin('POST', '/v1/instruments', instrumentBody())) as { id: string },
      archived: async () => {
        const { id } = (await asAdmin('POST', '/v1/instruments', instrumentBody())) as { id: string }
        await asAdmin('DELETE', `/v1/instruments/${id}`, undefined, '"1"')
        return id
      },
      project: async () => ((await asAdmin('POST', '/v1/projects', projectBody())) as { id: string }).id,
      confirmToken: async () => {
        const sent = mail?.messages.length ?? 0
        const { email } = fresh()
        await t.deps.subscriptions.requestSearchDigest(
          { email, query: 'features=P12', frequency: 'daily' },
          fresh().sourceIp,
        )
        const [confirmation] = (await (mail as TestMailServer).waitFor(sent + 1)).slice(sent)
        return /token=([\w.-]+)/.exec(confirmation!.text)![1]!
      },
      unsubscribeToken: async () => {
        const sent = mail?.messages.length ?? 0
        const { email, sourceIp } = fresh()
        const request = { email, query: 'features=P12', frequency: 'daily' as const }
        await t.deps.subscriptions.requestSearchDigest(request, sourceIp)
        const [confirmation] = (await (mail as TestMailServer).waitFor(sent + 1)).slice(sent)
        await t.deps.subscriptions.confirm(/token=([\w.-]+)/.exec(confirmation!.text)![1]!)
        // Asked again, a confirmed address gets a note with its unsubscribe link.
        await t.deps.subscriptions.requestSearchDigest(request, sourceIp)
        const [note] = (await (mail as TestMailServer).waitFor(sent + 2)).slice(sent + 1)
        return /unsubscribe\?token=([\w.-]+)/.exec(note!.text)![1]!
      },
      projectWatch: async () => {
        const projectId = await seed.project()
        const sent = mail?.messages.length ?? 0
        const { email, sourceIp } = fresh()
        await t.deps.subscriptions.requestProjectWatch(
          OWN_ORG,
          projectId,
          { email, frequency: 'weekly' },
          sourceIp,
        )
        // Only a confirmed watch is listed, and so can be ended.
        const [confirmation] = (await (mail as TestMailServer).waitFor(sent + 1)).slice(sent)
        await t.deps.subscriptions.confirm(/token=([\w.-]+)/.exec(confirmation!.text)![1]!)
        const [watch] = await t.deps.subscriptions.projectWatches(OWN_ORG, projectId)
        return { projectId, watchId: watch!.id }
      },
      suppressedAddress: async () => {
        const { email } = fresh()
        await t.deps.subscriptionStore.suppress(addressHash(email), 'bounce', t.clock.now())
        return email
      },
      importJob: async () => {
        const response = await t.app.request('/v1/admin/imports?dryRun=true', {
          method: 'POST',
          headers: {
            authorization: `Bearer ${adminOfOwnOrg}`,
            'content-type': 'text/csv',
            prefer: 'respond-async',
          },
          body: `${CSV_HEADER}j-1,Queued call,,call,national,DK,https://example.org,T1\n`,
        })
        expect(response.status, 'seeding an import job').toBe(202)
        return ((await response.json()) as { id: string }).id
      },
    }

    const observed: Record<string, number> = {}
    const expected: Record<string, number> = {}
    for (const caller of CALLERS) {
      const request = await rule.prepare(seed)
      const token = await authorization(t, caller)
      const versionBefore = await t.store.catalogueVersion()
      const response = await t.app.request(
        request.path,
        {
          method,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(request.contentType ? { 'content-type': request.contentType } : {}),
            ...(request.ifMatch ? { 'if-match': request.ifMatch } : {}),
          },
          body: request.body,
        },
        request.sourceIp ? { requestContext: { http: { sourceIp: request.sourceIp } } } : undefined,
      )
      const text = await response.text()
      observed[caller] = response.status
      expected[caller] = expectedStatus(rule, caller)
      if (response.status === 401)
        expect(response.headers.get('www-authenticate'), caller).toMatch(/^Bearer /)
      if (response.status >= 400) {
        expect(response.headers.get('content-type'), `${caller}: ${text}`).toBe('application/problem+json')
        expect(await t.store.catalogueVersion(), `${caller} wrote nothing`).toBe(versionBefore)
      }
    }
    expect(observed).toEqual(expected)
    t.deps.mailer.close()
    await mail?.close()
  })
})
