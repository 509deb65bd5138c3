import { createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SESSION_COOKIE } from '../../functions/web/lib/session'
import { createTestContext } from '../support/context'

/**
 * The AWS sign-in path: authorization code with PKCE against Cognito's hosted UI. A small local
 * server stands in for Cognito's token endpoint; it checks the code verifier against the challenge
 * the app sent, and answers with an ID token from the test issuer that the app's verifier trusts.
 */
const WEB_CLIENT_ID = 'web-client-id'
let cognitoUrl: string
let server: ReturnType<typeof serve>
const exchanges: URLSearchParams[] = []
let idToken = ''
let expectedChallenge = ''

beforeAll(async () => {
  const cognito = new Hono().post('/oauth2/token', async (c) => {
    const form = new URLSearchParams(await c.req.text())
    exchanges.push(form)
    const verifier = form.get('code_verifier') ?? ''
    const challenge = createHash('sha256').update(verifier).digest('base64url')
    if (form.get('code') !== 'good-code' || challenge !== expectedChallenge) {
      return c.json({ error: 'invalid_grant' }, 400)
    }
    return c.json({ id_token: idToken, access_token: 'unused', expires_in: 3600, token_type: 'Bearer' })
  })
  server = serve({ fetch: cognito.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  cognitoUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})

const cookieValue = (setCookie: string, name: string) => new RegExp(`${name}=([^;]*)`).exec(setCookie)?.[1]

describe('Cognito sign-in (authorization code + PKCE)', () => {
  it('redirects to the hosted UI with a S256 challenge, then exchanges the code and opens a session', async () => {
    const t = await createTestContext({ env: { COGNITO_DOMAIN: cognitoUrl, WEB_CLIENT_ID } })
    idToken = await t.token({ roles: ['admin'], subject: 'carol' })

    const start = await t.app.request('https://fundfinder.example/admin/sign-in?next=/admin/audit')
    expect(start.status).toBe(302)
    const authorize = new URL(start.headers.get('location') ?? '')
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${cognitoUrl}/oauth2/authorize`)
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: WEB_CLIENT_ID,
      redirect_uri: 'https://fundfinder.example/admin/callback',
      code_challenge_method: 'S256',
    })
    expectedChallenge = authorize.searchParams.get('code_challenge') ?? ''
    const state = authorize.searchParams.get('state') ?? ''
    const pkceSetCookie = start.headers.get('set-cookie') ?? ''
    expect(pkceSetCookie).toMatch(/HttpOnly/)
    expect(pkceSetCookie).toMatch(/SameSite=Lax/)
    expect(pkceSetCookie).toMatch(/Secure/)
    expect(pkceSetCookie).toMatch(/Path=\/admin\/callback/)
    const pkce = `ff_pkce=${cookieValue(pkceSetCookie, 'ff_pkce')}`

    const wrongState = await t.app.request(
      `https://fundfinder.example/admin/callback?code=good-code&state=forged`,
      {
        headers: { cookie: pkce },
      },
    )
    expect(wrongState.status).toBe(400)
    expect(wrongState.headers.get('set-cookie') ?? '').not.toContain(`${SESSION_COOKIE}=ey`)

    const noCookie = await t.app.request(
      `https://fundfinder.example/admin/callback?code=good-code&state=${state}`,
    )
    expect(noCookie.status).toBe(400)

    const callback = await t.app.request(
      `https://fundfinder.example/admin/callback?code=good-code&state=${state}`,
      {
        headers: { cookie: pkce },
      },
    )
    expect(callback.status).toBe(200)
    expect(await callback.text()).toContain('href="/admin/audit"')
    const exchange = exchanges.at(-1)!
    expect(Object.fromEntries(exchange)).toMatchObject({
      grant_type: 'authorization_code',
      client_id: WEB_CLIENT_ID,
      redirect_uri: 'https://fundfinder.example/admin/callback',
    })
    const sessionSetCookie = callback.headers.get('set-cookie') ?? ''
    const session = cookieValue(sessionSetCookie, SESSION_COOKIE)
    expect(session).toBe(idToken)
    expect(sessionSetCookie).toMatch(/SameSite=Strict/)
    expect(sessionSetCookie).toMatch(/Secure/)

    const audit = await t.app.request('https://fundfinder.example/admin/audit', {
      headers: { cookie: `${SESSION_COOKIE}=${session}` },
    })
    expect(audit.status).toBe(200)
    expect(await audit.text()).toContain('Signed in as <strong>carol</strong>')
  })

  it('a refused code is a 400 page, not a session', async () => {
    const t = await createTestContext({ env: { COGNITO_DOMAIN: cognitoUrl, WEB_CLIENT_ID } })
    const start = await t.app.request('https://fundfinder.example/admin/sign-in')
    const state = new URL(start.headers.get('location') ?? '').searchParams.get('state')
    const pkce = `ff_pkce=${cookieValue(start.headers.get('set-cookie') ?? '', 'ff_pkce')}`
    const refused = await t.app.request(
      `https://fundfinder.example/admin/callback?code=bad-code&state=${state}`,
      {
        headers: { cookie: pkce },
      },
    )
    expect(refused.status).toBe(400)
    expect(await refused.text()).toContain('Sign-in did not complete')
    // The dev form does not exist in a Cognito deployment without the dev issuer.
    const devPost = await t.app.request('https://fundfinder.example/admin/sign-in', {
      method: 'POST',
      headers: { origin: 'https://fundfinder.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=x&role=admin',
    })
    expect(devPost.status).toBe(404)
  })
})
