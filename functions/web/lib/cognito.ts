import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Config } from '../../../shared/platform/config'

/**
 * Cognito's hosted sign-in, spoken from the server: the authorization code flow with PKCE
 * (RFC 7636). The routes (../routes/sign-in.tsx) keep the cookies and the pages; this file knows
 * Cognito's URLs and its token endpoint.
 */
export type WebSignIn = NonNullable<Config['webSignIn']>

/** Where Cognito sends the browser back with a code. */
export const SIGN_IN_CALLBACK_PATH = '/admin/callback'

/**
 * The URLs Cognito must allow for one origin the pages are served on (the execute-api URL, a
 * custom domain). The pages build them from the request's own origin, and the stack registers them
 * on the app client with these same functions for every origin it knows, so that sign-in and
 * sign-out work on each. Plain string joins: the stack passes deploy-time tokens for the API URL.
 */
const withoutTrailingSlash = (origin: string) => origin.replace(/\/$/, '')
export const signInCallbackUrl = (origin: string) => `${withoutTrailingSlash(origin)}${SIGN_IN_CALLBACK_PATH}`
export const signOutReturnUrl = (origin: string) => `${withoutTrailingSlash(origin)}/`

const base64url = (bytes: Buffer) => bytes.toString('base64url')

/** A fresh PKCE verifier with its S256 challenge, and the state that ties the answer to this browser. */
export function newAuthorization(): { state: string; verifier: string; challenge: string } {
  const verifier = base64url(randomBytes(32))
  return {
    state: base64url(randomBytes(16)),
    verifier,
    challenge: base64url(createHash('sha256').update(verifier).digest()),
  }
}

/** Cognito's authorize URL that sends the browser back to `redirectUri` with a code. */
export function authorizeUrl(
  signIn: WebSignIn,
  request: { redirectUri: string; state: string; challenge: string },
): string {
  const url = new URL(`${signIn.cognitoDomain}/oauth2/authorize`)
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: signIn.clientId,
    redirect_uri: request.redirectUri,
    scope: 'openid email profile',
    state: request.state,
    code_challenge: request.challenge,
    code_challenge_method: 'S256',
  }).toString()
  return url.toString()
}

/** True when the `state` Cognito sent back is the one this browser started with (constant time). */
export function sameState(received: string, expected: string): boolean {
  const a = Buffer.from(received)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

export type CodeExchange =
  | { ok: true; idToken: string; expiresInSeconds: number }
  | { ok: false; reason: 'refused' | 'unreachable' | 'no-id-token'; detail?: string }

/**
 * Trades the authorization code for tokens at Cognito's token endpoint. The ID token is returned
 * unverified: the caller verifies it with the same verifier the API uses.
 */
export async function exchangeCode(
  signIn: WebSignIn,
  request: { code: string; codeVerifier: string; redirectUri: string },
): Promise<CodeExchange> {
  let tokens: { id_token?: unknown; expires_in?: unknown }
  try {
    const response = await fetch(`${signIn.cognitoDomain}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: signIn.clientId,
        code: request.code,
        redirect_uri: request.redirectUri,
        code_verifier: request.codeVerifier,
      }),
      signal: AbortSignal.timeout(5000),
    })
    if (!response.ok) return { ok: false, reason: 'refused' }
    tokens = (await response.json()) as typeof tokens
  } catch (error) {
    return { ok: false, reason: 'unreachable', detail: (error as Error).message }
  }
  if (typeof tokens.id_token !== 'string') return { ok: false, reason: 'no-id-token' }
  return {
    ok: true,
    idToken: tokens.id_token,
    expiresInSeconds: typeof tokens.expires_in === 'number' ? tokens.expires_in : 3600,
  }
}

/** Cognito's logout URL, which ends its own session and then sends the browser to `logoutUri`. */
export function logoutUrl(signIn: WebSignIn, logoutUri: string): string {
  const url = new URL(`${signIn.cognitoDomain}/logout`)
  url.search = new URLSearchParams({ client_id: signIn.clientId, logout_uri: logoutUri }).toString()
  return url.toString()
}
