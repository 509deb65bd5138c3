import { Hono } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { z } from 'zod'
import { COUNTRY_CODES } from '../../../shared/catalogue/countries'
import { ROLES } from '../../../shared/platform/auth'
import { toProblem } from '../../api/lib/on-error'
import {
  authorizeUrl,
  exchangeCode,
  logoutUrl,
  newAuthorization,
  SIGN_IN_CALLBACK_PATH,
  sameState,
  signInCallbackUrl,
  signOutReturnUrl,
} from '../lib/cognito'
import { readForm, text } from '../lib/form-data'
import { renderPage } from '../lib/render'
import {
  CrossSiteRequest,
  clearSessionCookie,
  csrfTokenFor,
  isLocalHttp,
  isSameOriginRequest,
  SESSION_COOKIE,
  setSessionCookie,
} from '../lib/session'
import type { WebEnv } from '../lib/web-env'
import { DevSignInPage, SignInUnavailablePage } from '../pages/admin/sign-in-page'
import { MessagePage } from '../pages/message-page'

const PKCE_COOKIE = 'ff_pkce'
const DEV_TOKEN_SECONDS = 3600

/** Only our own admin pages are valid destinations after sign-in (no open redirect). */
export function safeNext(next: string | undefined): string {
  if (!next || !/^\/admin(?:[/?]|$)/.test(next) || next.startsWith('//')) return '/admin'
  return next.slice(0, 500)
}

const DevSignInForm = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[\p{L}\p{N} ._@-]{1,60}$/u, 'letters, digits, spaces and . _ @ - only, at most 60'),
  role: z.enum(ROLES),
  /** The organisation whose portfolio the user works on (`custom:org`); optional. */
  org: z
    .string()
    .trim()
    .regex(/^[\p{L}\p{N} ._-]{0,60}$/u, 'letters, digits, spaces and . _ - only, at most 60')
    .optional(),
  /** A national contact point's countries (`custom:countries`): ISO codes, comma- or space-separated; optional. */
  countries: z
    .string()
    .max(200)
    .transform((value) =>
      value
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((code) => code.toUpperCase()),
    )
    .refine((codes) => codes.every((code) => COUNTRY_CODES.has(code)), {
      error: 'ISO 3166-1 alpha-2 country codes only, such as DK, NO',
    }),
})

export const signInPages = new Hono<WebEnv>()
  .get('/admin/sign-in', async (c) => {
    const { config } = c.var.deps
    const next = safeNext(c.req.query('next'))
    if (config.webSignIn) {
      // Authorization code with PKCE: the verifier and state wait in a short-lived cookie. It is
      // SameSite=Lax because Cognito's redirect back to us is a cross-site top-level navigation.
      const { state, verifier, challenge } = newAuthorization()
      const nextEncoded = Buffer.from(next).toString('base64url')
      setCookie(c, PKCE_COOKIE, `${state}.${verifier}.${nextEncoded}`, {
        httpOnly: true,
        sameSite: 'Lax',
        path: SIGN_IN_CALLBACK_PATH,
        secure: !isLocalHttp(c),
        maxAge: 600,
      })
      const redirectUri = signInCallbackUrl(new URL(c.req.url).origin)
      return c.redirect(authorizeUrl(config.webSignIn, { redirectUri, state, challenge }), 302)
    }
    if (c.var.deps.devSignIn) {
      const message = c.req.query('ended') ? 'Your session has ended; sign in again.' : undefined
      return renderPage(c, <DevSignInPage next={next} message={message} />, { private: true })
    }
    return renderPage(c, <SignInUnavailablePage />, { status: 404 })
  })
  .post('/admin/sign-in', async (c) => {
    const { devSignIn } = c.var.deps
    // The dev form exists only where the dev issuer is injected (`npm start`, tests; never in AWS).
    if (!devSignIn) return renderPage(c, <SignInUnavailablePage />, { status: 404 })
    if (!isSameOriginRequest(c)) throw new CrossSiteRequest('This form was submitted from another site.')
    const form = await readForm(c)
    const parsed = DevSignInForm.safeParse({
      name: text(form, 'name'),
      role: text(form, 'role'),
      org: text(form, 'org'),
      countries: text(form, 'countries'),
    })
    if (!parsed.success) {
      const message = parsed.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ')
      return renderPage(c, <DevSignInPage next={safeNext(text(form, 'next'))} message={message} />, {
        status: 400,
        private: true,
      })
    }
    const token = await devSignIn.sign({
      subject: parsed.data.name,
      name: parsed.data.name,
      roles: [parsed.data.role],
      ...(parsed.data.org ? { org: parsed.data.org } : {}),
      ...(parsed.data.countries.length > 0 ? { countries: [...new Set(parsed.data.countries)] } : {}),
      ttlSeconds: DEV_TOKEN_SECONDS,
    })
    setSessionCookie(c, token, DEV_TOKEN_SECONDS)
    return c.redirect(safeNext(text(form, 'next')), 303)
  })
  .get(SIGN_IN_CALLBACK_PATH, async (c) => {
    const { config, verifier, logger } = c.var.deps
    if (!config.webSignIn) return renderPage(c, <SignInUnavailablePage />, { status: 404 })
    const failed = (detail: string, status: 400 | 502 = 400) =>
      renderPage(
        c,
        <MessagePage title="Sign-in did not complete" section="admin">
          <p>{detail}</p>
          <p>
            <a href="/admin/sign-in">Try again</a>
          </p>
        </MessagePage>,
        { status, private: true },
      )
    const stored = getCookie(c, PKCE_COOKIE)?.split('.')
    deleteCookie(c, PKCE_COOKIE, { path: SIGN_IN_CALLBACK_PATH, secure: !isLocalHttp(c) })
    const code = c.req.query('code')
    const state = c.req.query('state') ?? ''
    if (c.req.query('error'))
      return failed(`The sign-in service answered: ${c.req.query('error')?.slice(0, 100)}.`)
    if (stored?.length !== 3 || !code || code.length > 2048) {
      return failed('The sign-in took too long or was started elsewhere.')
    }
    const [expectedState = '', codeVerifier = '', nextEncoded = ''] = stored
    if (!sameState(state, expectedState)) return failed('The sign-in response did not match this browser.')

    const redirectUri = signInCallbackUrl(new URL(c.req.url).origin)
    const exchange = await exchangeCode(config.webSignIn, { code, codeVerifier, redirectUri })
    if (!exchange.ok) {
      if (exchange.reason === 'refused') return failed('The sign-in code was refused; it may have expired.')
      if (exchange.reason === 'no-id-token') return failed('The sign-in service sent no identity token.', 502)
      logger.error('token exchange failed', { error: exchange.detail })
      return failed('The sign-in service could not be reached.', 502)
    }
    try {
      await verifier.verify(exchange.idToken)
    } catch (error) {
      const problem = toProblem(error)
      if (problem.status === 401) return failed(`The identity token was not accepted: ${problem.detail}`)
      throw error
    }
    setSessionCookie(c, exchange.idToken, exchange.expiresInSeconds)
    const next = safeNext(Buffer.from(nextEncoded, 'base64url').toString('utf8'))
    // A page rather than a redirect: the SameSite=Strict session cookie is not sent on a redirect
    // chain that began on Cognito's site, but it is on a navigation started by our own page.
    return renderPage(
      c,
      <MessagePage title="Signed in" section="admin">
        <meta http-equiv="refresh" content={`0;url=${next}`} />
        <p>
          <a href={next}>Continue</a>
        </p>
      </MessagePage>,
      { private: true },
    )
  })
  .post('/admin/sign-out', async (c) => {
    if (!isSameOriginRequest(c)) throw new CrossSiteRequest('This form was submitted from another site.')
    const token = getCookie(c, SESSION_COOKIE)
    const form = await readForm(c)
    if (token && text(form, 'csrf') !== csrfTokenFor(token)) {
      throw new CrossSiteRequest('The form is missing its security token.')
    }
    clearSessionCookie(c)
    const { webSignIn } = c.var.deps.config
    if (webSignIn) {
      // Back to the origin the user signed out on: the execute-api URL or a custom domain, each one
      // of the app client's logout URLs (infra/constructs/identity.ts registers them alike).
      const logout = logoutUrl(webSignIn, signOutReturnUrl(new URL(c.req.url).origin))
      // A page, not a redirect: the Content-Security-Policy's form-action 'self' also governs
      // where a form submission may be redirected.
      return renderPage(
        c,
        <MessagePage title="Signed out" section="admin">
          <meta http-equiv="refresh" content={`0;url=${logout}`} />
          <p>
            <a href={logout}>Finish signing out</a>
          </p>
        </MessagePage>,
        { private: true },
      )
    }
    return c.redirect('/', 303)
  })
