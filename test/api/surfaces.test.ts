import type { Context as LambdaContext } from 'aws-lambda'
import { handle } from 'hono/aws-lambda'
import { describe, expect, it } from 'vitest'
import { surfaceOf, WRITE_ROUTES } from '../../functions/api/lib/surfaces'
import { createPublicApp } from '../../functions/api/public-app'
import type { Logger } from '../../shared/platform/logger'
import { httpApiEvent } from '../support/api-gateway-event'
import { createTestContext } from '../support/context'
import { instrumentBody, instrumentInput } from '../support/factories'

/**
 * Two deployed functions run this one app: `API_SURFACE=public` (read-only table rights) and
 * `API_SURFACE=write`. Each refuses the other's routes with a 404 problem before any handler runs,
 * so a request the gateway routed wrongly can never write from the public function.
 */
const surfaceContext = (surface: 'public' | 'write' | 'all') =>
  createTestContext({ env: { API_SURFACE: surface } })

describe('API surfaces', () => {
  it('the public function refuses every write, even with a valid admin token, and writes nothing', async () => {
    const t = await surfaceContext('public')
    const live = await t.store.create(instrumentInput({ name: 'Kept as it is' }), 'seed', t.clock.now())
    const attempts = [
      ['POST', '/v1/instruments', instrumentBody()],
      ['PUT', `/v1/instruments/${live.id}`, instrumentBody({ name: 'Changed' })],
      ['DELETE', `/v1/instruments/${live.id}`, undefined],
      ['POST', `/v1/admin/archive/${live.id}/restore`, {}],
      ['GET', '/v1/admin/audit', undefined],
      ['POST', '/v1/projects', {}],
      ['GET', '/v1/projects', undefined],
      ['GET', '/admin', undefined],
      ['POST', `/admin/instruments/${live.id}/delete`, undefined],
      // Percent-encoded: Hono routes on the decoded path, and so does the refusal.
      ['POST', '/v1/%69nstruments', instrumentBody()],
      [
        'DELETE',
        `/v1/instruments/${live.id.replace(/^./, (c) => `%${c.charCodeAt(0).toString(16)}`)}`,
        undefined,
      ],
    ] as const
    for (const [method, path, body] of attempts) {
      const response = await t.call(method, path, {
        role: 'admin',
        body,
        headers: { 'if-match': '"1"' },
      })
      expect(response.status, `${method} ${path}`).toBe(404)
      expect(response.headers.get('content-type'), `${method} ${path}`).toBe('application/problem+json')
      expect(response.json).toMatchObject({ type: 'https://fundfinder.dev/problems/not-found' })
    }
    expect(await t.store.get(live.id)).toMatchObject({ name: 'Kept as it is', version: 1 })
    expect((await t.store.listAudit({ limit: 10 })).items).toHaveLength(1)

    // What is public is served.
    expect((await t.call('GET', `/v1/instruments/${live.id}`)).status).toBe(200)
    expect((await t.call('GET', '/v1/instruments')).json.total).toBe(1)
    expect((await t.call('POST', '/v1/match', { body: { features: ['T1'] } })).status).toBe(200)
    expect((await t.app.request('/')).status).toBe(200)
    expect((await t.app.request('/openapi.json')).status).toBe(200)
  })

  it('the write function serves writes and refuses the public routes', async () => {
    const t = await surfaceContext('write')
    const created = await t.call('POST', '/v1/instruments', { role: 'editor', body: instrumentBody() })
    expect(created.status).toBe(201)
    expect((await t.call('GET', '/v1/admin/audit', { role: 'admin' })).status).toBe(200)
    expect((await t.app.request('/admin')).status).toBe(303)

    for (const path of [
      '/v1/instruments',
      `/v1/instruments/${created.json.id}`,
      '/v1/taxonomy',
      '/',
      '/docs',
    ]) {
      const response = await t.call('GET', path)
      expect(response.status, path).toBe(404)
      expect(response.json).toMatchObject({ status: 404 })
    }
  })

  it('the public function runs every public route of the whole app, none of the write-only routers, and documents the whole API', async () => {
    const whole = (await surfaceContext('all')).app
    const publicApp = (await surfaceContext('public')).app
    const key = (route: { method: string; path: string }) => `${route.method} ${route.path}`
    const served = new Set(publicApp.routes.map(key))
    const publicOfWhole = whole.routes.filter(
      (route) => surfaceOf(route.method, route.path.replace(/:(\w+)/g, 'x')) === 'public',
    )
    expect(publicOfWhole.length).toBeGreaterThan(20)
    expect(publicOfWhole.map(key).filter((route) => !served.has(route))).toEqual([])
    // What it leaves out is the write surface's alone: the admin's pages and API, portfolios, imports.
    const left = publicApp.routes.filter((route) => surfaceOf(route.method, route.path) === 'write')
    expect(left.filter((route) => /^\/(admin|v1\/admin|v1\/projects)(\/|$)/.test(route.path))).toEqual([])
    expect(whole.routes.filter((route) => route.path.startsWith('/v1/projects')).length).toBeGreaterThan(5)
    const wholeDocument = await (await whole.request('/openapi.json')).json()
    expect(await (await publicApp.request('/openapi.json')).json()).toEqual(wholeDocument)
    expect(Object.keys((wholeDocument as { paths: object }).paths)).toContain('/v1/projects/{id}')
  })

  it('locally one app serves both surfaces', async () => {
    const t = await surfaceContext('all')
    const created = await t.call('POST', '/v1/instruments', { role: 'editor', body: instrumentBody() })
    expect(created.status).toBe(201)
    expect((await t.call('GET', `/v1/instruments/${created.json.id}`)).status).toBe(200)
    expect((await createTestContext()).config.apiSurface).toBe('all')
  })

  it('every route that can change something belongs to the write surface', async () => {
    const t = await surfaceContext('all')
    // POSTs of the public surface that only compute from the request: nothing else may be public.
    const publicPosts = new Set(['POST /v1/match', 'POST /v1/features/suggest'])
    const routes = t.app.routes.filter((route) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method))
    expect(routes.length).toBeGreaterThan(10)
    const publicWrites = [...new Set(routes.map((route) => `${route.method} ${route.path}`))].filter(
      (key) => {
        const [method = '', path = ''] = key.split(' ')
        return surfaceOf(method, path.replace(/:(\w+)/g, 'x')) === 'public' && !publicPosts.has(key)
      },
    )
    expect(publicWrites).toEqual([])
    for (const key of publicPosts) {
      const [method = '', path = ''] = key.split(' ')
      expect(surfaceOf(method, path)).toBe('public')
    }
    // Every route the OpenAPI document marks as authenticated is on the write surface.
    const document = (await (await t.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>
    }
    const secured = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => (operation.security ?? []).length > 0)
        .map(([method]) => [method.toUpperCase(), path.replace(/\{\w+\}/g, 'x')] as const),
    )
    expect(secured.length).toBeGreaterThan(5)
    for (const [method, path] of secured) expect(surfaceOf(method, path), `${method} ${path}`).toBe('write')
  })

  it('classifies by method and path prefix, as the gateway routes', () => {
    expect(surfaceOf('GET', '/v1/instruments/abc')).toBe('public')
    expect(surfaceOf('HEAD', '/v1/instruments')).toBe('public')
    expect(surfaceOf('post', '/v1/instruments')).toBe('write')
    expect(surfaceOf('PUT', '/v1/instruments/abc')).toBe('write')
    expect(surfaceOf('GET', '/v1/projects')).toBe('write')
    expect(surfaceOf('GET', '/v1/projectsx')).toBe('public')
    expect(surfaceOf('GET', '/admin')).toBe('write')
    expect(surfaceOf('GET', '/administrator')).toBe('public')
    expect(surfaceOf('OPTIONS', '/v1/admin/audit')).toBe('write')
    expect(surfaceOf('POST', '/v1/subscriptions')).toBe('write')
    expect(surfaceOf('POST', '/v1/subscriptions/confirm')).toBe('write')
    expect(surfaceOf('POST', '/subscriptions/unsubscribe')).toBe('write')
    expect(surfaceOf('GET', '/subscriptions/unsubscribe')).toBe('public')
    expect(WRITE_ROUTES.filter((route) => route.gatewayAuth === 'none').map((route) => route.path)).toEqual([
      '/admin',
      '/v1/subscriptions',
      '/subscriptions',
    ])
  })
})

describe('request id on Lambda', () => {
  function recordingLogger() {
    const lines: { level: string; message: string; fields: Record<string, unknown> }[] = []
    const record =
      (level: string) =>
      (message: string, fields: Record<string, unknown> = {}) => {
        lines.push({ level, message, fields })
      }
    const logger: Logger = {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
      withLambdaContext: () => {},
    }
    return { logger, lines }
  }

  it("is API Gateway's request id in the header, the problem and the log line, whatever the caller sent", async () => {
    const t = await surfaceContext('public')
    const { logger, lines } = recordingLogger()
    const handler = handle(createPublicApp({ ...t.deps, logger }))
    const event = httpApiEvent('GET', '/v1/instruments/unknown-id', {
      headers: { 'x-request-id': 'chosen-by-the-caller' },
    })
    const gatewayId = (event.requestContext as { requestId: string }).requestId
    const result = (await handler(event, { awsRequestId: 'lambda-invocation-id' } as LambdaContext)) as {
      statusCode: number
      headers: Record<string, string>
      body: string
    }
    expect(result.statusCode).toBe(404)
    expect(result.headers['x-request-id']).toBe(gatewayId)
    expect(JSON.parse(result.body)).toMatchObject({ status: 404, requestId: gatewayId })
    expect(lines.filter((line) => line.message === 'request')).toEqual([
      expect.objectContaining({ fields: expect.objectContaining({ requestId: gatewayId, status: 404 }) }),
    ])
  })

  it('off Lambda, reuses a plain caller id or makes one', async () => {
    const t = await surfaceContext('all')
    const reused = await t.app.request('/health', { headers: { 'x-request-id': 'trace-123' } })
    expect(reused.headers.get('x-request-id')).toBe('trace-123')
    const replaced = await t.app.request('/health', { headers: { 'x-request-id': 'not plain!' } })
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })
})
