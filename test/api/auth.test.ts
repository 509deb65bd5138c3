import { describe, expect, it } from 'vitest'
import { createTestContext } from '../support/context'
import { instrumentBody } from '../support/factories'
import { TEST_AUDIENCE } from '../support/tokens'

type Credential = {
  name: string
  header?: (t: Awaited<ReturnType<typeof createTestContext>>) => Promise<string>
}

const bearer = (token: string) => `Bearer ${token}`
const unsignedToken = (payload: object) =>
  `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`

/** Credentials, and the status each mutating route must give (by the role it needs). */
const credentials: (Credential & { editorRoute: number; adminRoute: number })[] = [
  { name: 'no token', editorRoute: 401, adminRoute: 401 },
  { name: 'not a bearer token', header: async () => 'Basic dXNlcjpwYXNz', editorRoute: 401, adminRoute: 401 },
  { name: 'garbage token', header: async () => bearer('abc.def.ghi'), editorRoute: 401, adminRoute: 401 },
  {
    name: 'bad signature',
    header: async (t) => bearer(await t.issuer.signWithForeignKey({ roles: ['admin'] })),
    editorRoute: 401,
    adminRoute: 401,
  },
  {
    name: 'alg none',
    header: async () =>
      bearer(
        unsignedToken({
          iss: 'https://issuer.test/pool',
          aud: TEST_AUDIENCE,
          sub: 'x',
          exp: 9_999_999_999,
          'cognito:groups': ['admin'],
        }),
      ),
    editorRoute: 401,
    adminRoute: 401,
  },
  {
    name: 'wrong issuer',
    header: async (t) => bearer(await t.token({ roles: ['admin'], issuer: 'https://evil.test' })),
    editorRoute: 401,
    adminRoute: 401,
  },
  {
    name: 'wrong audience',
    header: async (t) => bearer(await t.token({ roles: ['admin'], audience: 'another-app' })),
    editorRoute: 401,
    adminRoute: 401,
  },
  {
    name: 'expired',
    header: async (t) => bearer(await t.token({ roles: ['admin'], expiresIn: -60 })),
    editorRoute: 401,
    adminRoute: 401,
  },
  {
    name: 'not yet valid',
    header: async (t) => bearer(await t.token({ roles: ['admin'], notBefore: 600 })),
    editorRoute: 401,
    adminRoute: 401,
  },
  { name: 'no role', header: async (t) => bearer(await t.token([])), editorRoute: 403, adminRoute: 403 },
  {
    name: 'unknown role only',
    header: async (t) => bearer(await t.token(['viewer'])),
    editorRoute: 403,
    adminRoute: 403,
  },
  { name: 'editor', header: async (t) => bearer(await t.token(['editor'])), editorRoute: 0, adminRoute: 403 },
  { name: 'admin', header: async (t) => bearer(await t.token(['admin'])), editorRoute: 0, adminRoute: 0 },
]

describe('authorisation on every mutating and admin route', () => {
  it.each(credentials)('$name', async (credential) => {
    const t = await createTestContext()
    const seeded = await t.call('POST', '/v1/instruments', { role: 'admin', body: instrumentBody() })
    const id = seeded.json.id as string
    const routes = [
      { method: 'POST', path: '/v1/instruments', body: instrumentBody(), needs: 'editor', ok: 201 },
      { method: 'PUT', path: `/v1/instruments/${id}`, body: instrumentBody(), needs: 'editor', ok: 200 },
      { method: 'GET', path: '/v1/admin/audit', needs: 'admin', ok: 200 },
      { method: 'DELETE', path: `/v1/instruments/${id}`, needs: 'admin', ok: 204 },
    ] as const
    for (const route of routes) {
      // DELETE runs after the PUT, which bumped the version when this credential may edit.
      const version = route.method === 'DELETE' && credential.editorRoute === 0 ? 2 : 1
      const headers: Record<string, string> = { 'if-match': `"${version}"` }
      if (credential.header) headers.authorization = await credential.header(t)
      const result = await t.call(route.method, route.path, {
        headers,
        ...('body' in route ? { body: route.body } : {}),
      })
      const expected = route.needs === 'editor' ? credential.editorRoute : credential.adminRoute
      expect(result.status, `${route.method} ${route.path}`).toBe(expected || route.ok)
      if (result.status === 401) {
        expect(result.headers.get('www-authenticate')).toMatch(/^Bearer /)
        expect(result.headers.get('content-type')).toBe('application/problem+json')
      }
      if (result.status === 403) expect(result.json.type).toMatch(/forbidden$/)
    }
    const writes = credential.editorRoute === 0 ? (credential.adminRoute === 0 ? 4 : 3) : 1
    expect(await t.store.catalogueVersion()).toBe(writes)
  })
})
