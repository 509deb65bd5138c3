import type { JSONWebKeySet, JWTPayload, JWTVerifyGetKey } from 'jose'
import { COUNTRY_CODES } from '../catalogue/countries'
import { CUSTOM_ATTRIBUTES, claimOf } from './custom-attributes'

export const ROLES = ['editor', 'admin'] as const
export type Role = (typeof ROLES)[number]

/** Who is calling, as established from a verified token. */
export interface Principal {
  subject: string
  /** Human-readable name for audit trails (Cognito username or email, else the subject). */
  name: string
  roles: Role[]
  /** Organisation the caller works for (`custom:org`), if the token carries one. */
  org?: string | undefined
  /**
   * Countries a country-scoped editor may change (`custom:countries`, comma-separated ISO 3166-1
   * alpha-2 codes), upper case, unique; absent when the token carries no such claim.
   */
  countries?: string[] | undefined
}

/** The token was missing, malformed, forged, expired or not meant for us: a 401. */
export class AuthenticationError extends Error {
  override name = 'AuthenticationError'
}

export interface TokenVerifier {
  verify(token: string): Promise<Principal>
}

/** What a locally issued token says about its holder (the claims Cognito would put in an ID token). */
export interface TokenClaims {
  subject: string
  name?: string
  roles: Role[]
  org?: string
  /** ISO country codes (`custom:countries`) of a country-scoped editor. */
  countries?: string[]
  /** Lifetime in seconds (default one hour). */
  ttlSeconds?: number
}

/**
 * Signs tokens the verifier accepts. Only the local dev issuer implements it (scripts/lib), and only
 * `npm start` and the tests inject one: a deployed stack has none, so it can never mint a token.
 */
export interface TokenSigner {
  sign(claims: TokenClaims): Promise<string>
}

export interface JwtVerifierOptions {
  issuer: string
  /** App client id: matched against `aud` (ID tokens) or `client_id` (Cognito access tokens). */
  audience: string
  /** Where the signing keys come from: Cognito's JWKS URL in AWS, the dev issuer's public key locally. */
  keys: { jwksUrl: string } | { jwks: JSONWebKeySet }
}

/**
 * Verifies RS256 bearer tokens against a JWKS, checking signature, issuer, audience, expiry and
 * not-before. Cognito and the local dev issuer go through this same path; only the key source differs.
 */
export function createJwtVerifier(options: JwtVerifierOptions): TokenVerifier {
  const { keys } = options
  // jose loads with the first token, and so does the remote key set: making it builds `Headers`,
  // which loads Node's fetch implementation (tens of ms), a cost anonymous requests and a cold
  // start need not pay.
  let getKey: JWTVerifyGetKey | undefined
  const keySet = (jose: typeof import('jose')): JWTVerifyGetKey =>
    'jwksUrl' in keys
      ? jose.createRemoteJWKSet(new URL(keys.jwksUrl), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000 })
      : jose.createLocalJWKSet(keys.jwks)

  return {
    async verify(token) {
      const jose = await import('jose')
      getKey ??= keySet(jose)
      let payload: JWTPayload
      try {
        ;({ payload } = await jose.jwtVerify(token, getKey, {
          issuer: options.issuer,
          algorithms: ['RS256'],
          clockTolerance: 5,
          requiredClaims: ['sub', 'exp'],
        }))
      } catch (error) {
        throw new AuthenticationError(describeJoseError(jose.errors, error))
      }
      if (!audienceMatches(payload, options.audience)) {
        throw new AuthenticationError('The token was not issued for this API (audience mismatch).')
      }
      return toPrincipal(payload)
    },
  }
}

function audienceMatches(payload: JWTPayload, audience: string): boolean {
  if (payload.token_use === 'access') return payload.client_id === audience
  const aud = payload.aud
  return Array.isArray(aud) ? aud.includes(audience) : aud === audience
}

/**
 * Who the verified token says the caller is. Cognito puts custom attributes (`custom:org`,
 * `custom:countries`) in ID tokens itself, and in access tokens through the pre-token-generation
 * trigger (functions/pre-token-generation); both shapes read the same.
 */
export function toPrincipal(payload: JWTPayload): Principal {
  const groups = payload['cognito:groups']
  const roles = Array.isArray(groups) ? ROLES.filter((role) => groups.includes(role)) : []
  const subject = String(payload.sub)
  const name = [payload['cognito:username'], payload.username, payload.email].find(
    (value): value is string => typeof value === 'string' && value.length > 0,
  )
  const org = payload[claimOf('org')]
  return {
    subject,
    name: (name ?? subject).slice(0, 200),
    roles,
    org:
      typeof org === 'string' && org.length > 0 ? org.slice(0, CUSTOM_ATTRIBUTES.org.maxLength) : undefined,
    countries: parseCountriesClaim(payload[claimOf('countries')]),
  }
}

/**
 * `custom:countries` as a list of codes. The claim narrows what an editor may do, so one that is
 * present but unreadable must not silently widen it to "every country": it fails verification (a
 * 401) instead of being dropped. An empty claim is no claim (an admin cleared the attribute).
 */
export function parseCountriesClaim(claim: unknown): string[] | undefined {
  if (claim === undefined || claim === null || claim === '') return undefined
  if (typeof claim !== 'string' || claim.length > CUSTOM_ATTRIBUTES.countries.maxLength) {
    throw new AuthenticationError("The token's 'custom:countries' claim is not a list of country codes.")
  }
  const codes = claim.split(',').map((code) => code.trim().toUpperCase())
  const unknown = codes.filter((code) => !COUNTRY_CODES.has(code))
  if (unknown.length > 0) {
    throw new AuthenticationError(
      `The token's 'custom:countries' claim holds what is not an ISO 3166-1 alpha-2 code: ${unknown.slice(0, 5).join(', ').slice(0, 100)}.`,
    )
  }
  return [...new Set(codes)]
}

function describeJoseError(joseErrors: typeof import('jose').errors, error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The token has expired.'
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'The token is not valid yet.'
    if (error.claim === 'iss') return 'The token was issued by an untrusted issuer.'
    return `The token's '${error.claim}' claim is invalid.`
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'The token signature is invalid.'
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'The token algorithm is not allowed.'
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'The token was signed with an unknown key.'
  return 'The token is malformed or cannot be verified.'
}

export function hasRole(principal: Principal, allowed: readonly Role[]): boolean {
  // An admin can do everything an editor can.
  return principal.roles.some((role) => allowed.includes(role) || role === 'admin')
}
