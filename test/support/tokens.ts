import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWTPayload, SignJWT } from 'jose'

export const TEST_ISSUER = 'https://issuer.test/pool'
export const TEST_AUDIENCE = 'fundfinder-test-client'

export interface SignOptions {
  roles?: string[]
  subject?: string
  org?: string
  /** `custom:countries`, joined with commas as Cognito stores it. */
  countries?: string[]
  issuer?: string
  audience?: string
  /** Seconds relative to now. */
  expiresIn?: number
  notBefore?: number
  claims?: JWTPayload
}

export interface TestIssuer {
  jwks: JSONWebKeySet
  sign(options?: SignOptions): Promise<string>
  /** A token signed by a key that is not in the JWKS. */
  signWithForeignKey(options?: SignOptions): Promise<string>
}

async function keyPair(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } }
}

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey']

let shared: Promise<TestIssuer> | undefined

/** A local RS256 issuer standing in for Cognito; the API verifies its tokens through the JWKS path. */
export function testIssuer(): Promise<TestIssuer> {
  shared ??= (async () => {
    const trusted = await keyPair('test-key')
    const foreign = await keyPair('test-key')
    const sign = (privateKey: PrivateKey, options: SignOptions = {}) => {
      const now = Math.floor(Date.now() / 1000)
      return new SignJWT({
        'cognito:groups': options.roles ?? [],
        'cognito:username': options.subject ?? 'tester',
        ...(options.org ? { 'custom:org': options.org } : {}),
        ...(options.countries ? { 'custom:countries': options.countries.join(',') } : {}),
        ...options.claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
        .setIssuer(options.issuer ?? TEST_ISSUER)
        .setAudience(options.audience ?? TEST_AUDIENCE)
        .setSubject(options.subject ?? 'tester')
        .setIssuedAt(now)
        .setNotBefore(now + (options.notBefore ?? 0))
        .setExpirationTime(now + (options.expiresIn ?? 600))
        .sign(privateKey)
    }
    return {
      jwks: { keys: [trusted.publicJwk] },
      sign: (options) => sign(trusted.privateKey, options),
      signWithForeignKey: (options) => sign(foreign.privateKey, options),
    }
  })()
  return shared
}
