import { randomUUID } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp } from '../../functions/api/app'
import type { AppDeps } from '../../functions/api/lib/types'
import { csrfTokenFor, SESSION_COOKIE } from '../../functions/web/lib/session'
import { devIssuerDeps } from '../../scripts/lib/dev-issuer'
import { createTestContext } from '../support/context'

/**
 * A test context whose app trusts the local dev issuer, as `npm start` does, so that the web
 * sign-in form (which signs dev-issuer tokens) works end to end. Fresh table, fixed clock.
 */
export async function createWebContext(options: { now?: string; env?: Record<string, string> } = {}) {
  const keyFile = join(tmpdir(), `fundfinder-dev-issuer-${randomUUID()}.json`)
  const t = await createTestContext({ ...options, env: { DEV_ISSUER_KEY_FILE: keyFile, ...options.env } })
  const devIssuer = await devIssuerDeps(t.config)
  const deps: AppDeps = { ...t.deps, verifier: devIssuer.verifier, devSignIn: devIssuer.devSignIn }
  const app = createApp(deps)
  const origin = 'http://localhost'

  /**
   * Signs in through the dev form (`countries`: as typed in its field, making the editor a national
   * contact point; `org`: the organisation whose portfolio the user works on); returns the Cookie
   * header and the CSRF token for forms.
   */
  const signIn = async (role: 'admin' | 'editor', name = `${role}-user`, countries = '', org = '') => {
    const response = await app.request('/admin/sign-in', {
      method: 'POST',
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name, role, countries, ...(org ? { org } : {}), next: '/admin' }),
    })
    const setCookie = response.headers.get('set-cookie') ?? ''
    const token = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(setCookie)?.[1]
    if (response.status !== 303 || !token) throw new Error(`sign-in failed: ${response.status} ${setCookie}`)
    return { cookie: `${SESSION_COOKIE}=${token}`, csrf: csrfTokenFor(token), setCookie }
  }

  /** GET a page (optionally signed in); returns status, headers and the HTML. */
  const page = async (path: string, session?: { cookie: string }) => {
    const response = await app.request(path, { headers: session ? { cookie: session.cookie } : {} })
    return { status: response.status, headers: response.headers, html: await response.text() }
  }

  /** POST a form as a browser on this site would. */
  const post = async (
    path: string,
    fields: Record<string, string | string[]>,
    session?: { cookie: string; csrf: string },
    headers: Record<string, string> = { origin },
  ) => {
    const body = new URLSearchParams()
    if (session) body.append('csrf', session.csrf)
    for (const [key, value] of Object.entries(fields)) {
      for (const item of Array.isArray(value) ? value : [value]) body.append(key, item)
    }
    const response = await app.request(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(session ? { cookie: session.cookie } : {}),
        ...headers,
      },
      body,
    })
    return { status: response.status, headers: response.headers, html: await response.text() }
  }

  const cleanup = () => rm(keyFile, { force: true })
  return { ...t, deps, app, keyFile, signIn, page, post, cleanup }
}

export type WebContext = Awaited<ReturnType<typeof createWebContext>>
