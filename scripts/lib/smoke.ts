import { randomUUID } from 'node:crypto'

/**
 * End-to-end checks of a running fundfinder (a deployed stack, or `npm start`) over HTTP only: what
 * a user of the public contract sees. Read checks always; with an editor-or-admin token, a create,
 * update, delete round trip on an instrument of its own that is removed again whatever happens
 * (deleting needs the admin role).
 */
export interface SmokeCheck {
  name: string
  ok: boolean
  detail: string
  ms: number
}

export interface SmokeOptions {
  /** Base URL: the stack's `ApiUrl` output. */
  url: string
  /** A bearer token (Cognito ID or access token, admin) for the write round trip. */
  token?: string | undefined
  /** Per request. */
  timeoutMs?: number
  onCheck?: (check: SmokeCheck) => void
}

class CheckFailed extends Error {}

const PROBLEM_FIELDS = ['type', 'title', 'status', 'detail'] as const

interface Answer {
  status: number
  headers: Headers
  text: string
  // biome-ignore lint/suspicious/noExplicitAny: a body from another process, probed field by field by the checks
  json: any
}

export async function runSmoke(options: SmokeOptions): Promise<{ ok: boolean; checks: SmokeCheck[] }> {
  const base = options.url.replace(/\/?$/, '/')
  const checks: SmokeCheck[] = []

  async function call(
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const response = await fetch(new URL(path.replace(/^\//, ''), base), {
      method,
      headers: {
        accept: 'application/json',
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    })
    const text = await response.text()
    let json: unknown
    try {
      json = text ? JSON.parse(text) : undefined
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, text, json } as Answer
  }

  function expectThat(condition: unknown, message: string): asserts condition {
    if (!condition) throw new CheckFailed(message)
  }
  function expectStatus(answer: Answer, status: number, what: string) {
    const requestId = answer.headers.get('x-request-id')
    expectThat(
      answer.status === status,
      `${what}: expected ${status}, got ${answer.status}${requestId ? ` (request id ${requestId})` : ''}: ${answer.text.slice(0, 200)}`,
    )
  }

  async function check(name: string, run: () => Promise<string>): Promise<boolean> {
    const started = performance.now()
    let result: SmokeCheck
    try {
      result = { name, ok: true, detail: await run(), ms: 0 }
    } catch (error) {
      const detail =
        error instanceof CheckFailed ? error.message : `${(error as Error).name}: ${(error as Error).message}`
      result = { name, ok: false, detail, ms: 0 }
    }
    result.ms = Math.round(performance.now() - started)
    checks.push(result)
    options.onCheck?.(result)
    return result.ok
  }

  await check('health', async () => {
    const answer = await call('GET', '/health')
    expectStatus(answer, 200, 'GET /health')
    expectThat(answer.json?.status === 'ok', `GET /health answered ${answer.text.slice(0, 100)}`)
    return 'ok'
  })
  await check('taxonomy', async () => {
    const answer = await call('GET', '/v1/taxonomy')
    expectStatus(answer, 200, 'GET /v1/taxonomy')
    const features = (answer.json?.categories ?? []).flatMap(
      (category: { features: unknown[] }) => category.features,
    )
    expectThat(
      answer.json?.categories?.length === 4 && features.length === 54,
      'expected 4 categories, 54 features',
    )
    return '4 categories, 54 features'
  })
  let someId: string | undefined
  const searched = await check('search', async () => {
    const answer = await call('GET', '/v1/instruments?limit=5&sort=deadline')
    expectStatus(answer, 200, 'GET /v1/instruments')
    expectThat(
      Array.isArray(answer.json?.items) && typeof answer.json?.total === 'number',
      'no { items, total }',
    )
    expectThat(answer.json.facets && typeof answer.json.facets === 'object', 'no facets')
    someId = answer.json.items[0]?.id
    return `${answer.json.total} live instruments`
  })
  await check('detail', async () => {
    expectThat(searched, 'cannot check: the search failed')
    if (!someId) return 'skipped: the catalogue is empty (seed it, or pass --token for the round trip)'
    const answer = await call('GET', `/v1/instruments/${encodeURIComponent(someId)}`)
    expectStatus(answer, 200, `GET /v1/instruments/${someId}`)
    expectThat(answer.json?.id === someId, 'another instrument came back')
    expectThat(/^"\d+"$/.test(answer.headers.get('etag') ?? ''), 'no ETag')
    return someId
  })
  await check('openapi', async () => {
    const answer = await call('GET', '/openapi.json')
    expectStatus(answer, 200, 'GET /openapi.json')
    expectThat(String(answer.json?.openapi).startsWith('3.1'), 'not an OpenAPI 3.1 document')
    return `${Object.keys(answer.json.paths ?? {}).length} paths`
  })
  await check('docs', async () => {
    const answer = await call('GET', '/docs', { headers: { accept: 'text/html' } })
    expectStatus(answer, 200, 'GET /docs')
    expectThat(answer.headers.get('content-type')?.startsWith('text/html'), 'not HTML')
    return 'API reference page'
  })
  await check('not found is a problem', async () => {
    const answer = await call('GET', `/v1/instruments/smoke-${randomUUID()}`)
    expectStatus(answer, 404, 'GET of an unknown instrument')
    expectThat(answer.headers.get('content-type')?.startsWith('application/problem+json'), 'not problem+json')
    const missing = PROBLEM_FIELDS.filter((field) => answer.json?.[field] === undefined)
    expectThat(missing.length === 0, `problem without ${missing.join(', ')}`)
    return `404 ${answer.json.type}`
  })
  await check('a write without a token is refused', async () => {
    const answer = await call('POST', '/v1/instruments', { body: {} })
    expectStatus(answer, 401, 'POST /v1/instruments without a token')
    return '401'
  })

  if (options.token) await writeRoundTrip(options.token)
  return { ok: checks.every((c) => c.ok), checks }

  async function writeRoundTrip(token: string) {
    const auth = { authorization: `Bearer ${token}` }
    const nextYear = new Date().getUTCFullYear() + 1
    const body = {
      name: `fundfinder smoke test ${randomUUID()}`,
      description: 'Created and deleted by `npm run smoke`; never shown for long.',
      kind: 'call',
      origin: 'international',
      url: 'https://example.org/fundfinder-smoke-test',
      deadline: `${nextYear}-12-31`,
      features: ['T1'],
    }
    let id: string | undefined
    let etag: string | undefined
    try {
      await check('create', async () => {
        const answer = await call('POST', '/v1/instruments', { body, headers: auth })
        expectStatus(answer, 201, 'POST /v1/instruments')
        id = answer.json?.id
        etag = answer.headers.get('etag') ?? undefined
        expectThat(id && etag, 'no id or ETag')
        return id as string
      })
      if (!id) return
      await check('read back', async () => {
        const answer = await call('GET', `/v1/instruments/${id}`)
        expectStatus(answer, 200, `GET /v1/instruments/${id}`)
        expectThat(answer.json?.name === body.name, 'another name came back')
        return 'same name'
      })
      await check('update', async () => {
        const answer = await call('PUT', `/v1/instruments/${id}`, {
          body: { ...body, description: 'Updated by `npm run smoke`.' },
          headers: { ...auth, 'if-match': etag ?? '' },
        })
        expectStatus(answer, 200, `PUT /v1/instruments/${id}`)
        expectThat(answer.json?.version === 2, `version ${answer.json?.version}, expected 2`)
        etag = answer.headers.get('etag') ?? etag
        return 'version 2'
      })
    } finally {
      if (id) {
        const created = id
        await check('delete (clean up)', async () => {
          const current = await call('GET', `/v1/instruments/${created}`)
          const answer = await call('DELETE', `/v1/instruments/${created}`, {
            headers: { ...auth, 'if-match': current.headers.get('etag') ?? etag ?? '' },
          })
          expectStatus(
            answer,
            204,
            `DELETE /v1/instruments/${created} (it stays in the catalogue: delete it as an admin)`,
          )
          const gone = await call('GET', `/v1/instruments/${created}`)
          expectStatus(gone, 410, `GET /v1/instruments/${created} after the delete`)
          return 'deleted, 410'
        })
      }
    }
  }
}
