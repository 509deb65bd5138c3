import { createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { handle } from 'hono/aws-lambda'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { csrfTokenFor, SESSION_COOKIE } from '../../functions/web/lib/session'
import { synthStage } from '../infra/synth'
import { httpApiEvent } from '../support/api-gateway-event'
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

  it('signs in and out on the origin the browser is on, each URL one the app client allows (custom domain too)', async () => {
    // The app client as the stack defines it for a stage with a custom domain.
    const CUSTOM = 'https://funding.example.org'
    const { template } = synthStage('prod', { customDomainUrls: [CUSTOM] })
    const [client] = Object.values(template.findResources('AWS::Cognito::UserPoolClient')) as {
      Properties: { CallbackURLs: unknown[]; LogoutURLs: unknown[] }
    }[]
    // Deploy-time references resolved as CloudFormation would, for the API `abc123` in eu-west-1.
    const deployed: Record<string, string> = { 'AWS::Region': 'eu-west-1', 'AWS::URLSuffix': 'amazonaws.com' }
    const resolve = (value: unknown): string => {
      if (typeof value === 'string') return value
      const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join']
      if (join) return join[1].map(resolve).join(join[0])
      const ref = (value as { Ref: string }).Ref
      return deployed[ref] ?? (ref.startsWith('Http') ? 'abc123' : `<${ref}>`)
    }
    const allowedCallbacks = client?.Properties.CallbackURLs.map(resolve)
    const allowedLogouts = client?.Properties.LogoutURLs.map(resolve)
    expect(allowedLogouts).toEqual(['https://abc123.execute-api.eu-west-1.amazonaws.com/', `${CUSTOM}/`])

    const t = await createTestContext({ env: { COGNITO_DOMAIN: cognitoUrl, WEB_CLIENT_ID } })
    const handler = handle(t.app)
    const token = await t.token({ roles: ['editor'] })
    for (const domainName of ['funding.example.org', 'abc123.execute-api.eu-west-1.amazonaws.com']) {
      const origin = `https://${domainName}`
      // Through the Lambda adapter, with the event API Gateway sends for a request on that host.
      const signIn = (await handler(httpApiEvent('GET', '/admin/sign-in', { domainName }))) as {
        statusCode: number
        headers: Record<string, string>
      }
      expect(signIn.statusCode).toBe(302)
      const redirectUri = new URL(signIn.headers.location ?? '').searchParams.get('redirect_uri')
      expect(redirectUri).toBe(`${origin}/admin/callback`)
      expect(allowedCallbacks).toContain(redirectUri)

      const signOut = (await handler(
        httpApiEvent('POST', '/admin/sign-out', {
          domainName,
          headers: {
            origin,
            cookie: `${SESSION_COOKIE}=${token}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: `csrf=${csrfTokenFor(token)}`,
        }),
      )) as { statusCode: number; body: string }
      expect(signOut.statusCode).toBe(200)
      const logoutHref = /href="([^"]+\/logout\?[^"]+)"/.exec(signOut.body)?.[1]?.replaceAll('&amp;', '&')
      const logout = new URL(logoutHref ?? '')
      expect(`${logout.origin}${logout.pathname}`).toBe(`${cognitoUrl}/logout`)
      expect(logout.searchParams.get('client_id')).toBe(WEB_CLIENT_ID)
      expect(logout.searchParams.get('logout_uri')).toBe(`${origin}/`)
      expect(allowedLogouts).toContain(logout.searchParams.get('logout_uri'))
    }
  }, 120_000)
})
