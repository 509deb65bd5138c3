import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda'
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../functions/api/app'
import { handler as preTokenGeneration } from '../../functions/pre-token-generation/handler'
import { createJwtVerifier, type TokenVerifier } from '../../shared/platform/auth'
import { createTestContext } from '../support/context'
import { projectBody } from '../support/factories'

/**
 * Tokens shaped exactly like the ones Cognito issues (claims, header, audience rules), signed by a
 * test key standing in for the user pool's, verified by the verifier the API runs in AWS. The
 * access token is built the way Cognito builds it: its standard claims plus what the
 * pre-token-generation trigger (run here on a Cognito-shaped V2 event) adds.
 */
const REGION = 'eu-west-1'
const POOL_ID = `${REGION}_AbCdEf123`
const ISSUER = `https://cognito-idp.${REGION}.amazonaws.com/${POOL_ID}`
const CLIENT_ID = '4example0web0client0id'
const SUB = '6f1e2c3d-8a9b-4c5d-9e0f-112233445566'

let signWithPoolKey: (claims: JWTPayload) => Promise<string>
let verifier: TokenVerifier

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
  const kid = 'pool-key-1'
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }
  signWithPoolKey = (claims) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey)
  verifier = createJwtVerifier({ issuer: ISSUER, audience: CLIENT_ID, keys: { jwks: { keys: [jwk] } } })
})

const now = () => Math.floor(Date.now() / 1000)

/** The user as the pool holds them: custom attributes set by an admin with admin-update-user-attributes. */
const USER_ATTRIBUTES = {
  sub: SUB,
  email: 'editor@example.org',
  email_verified: 'true',
  'cognito:user_status': 'CONFIRMED',
  'custom:org': 'ACME',
  'custom:countries': 'DK,NO',
}

/** An ID token as Cognito issues it: custom attributes included, `aud` = the app client. */
function cognitoIdToken(attributes: Record<string, string> = USER_ATTRIBUTES) {
  const { sub, email, email_verified, 'cognito:user_status': _status, ...custom } = attributes
  return signWithPoolKey({
    sub,
    'cognito:groups': ['editor'],
    email_verified: email_verified === 'true',
    iss: ISSUER,
    'cognito:username': sub,
    origin_jti: 'a1b2c3d4-0000-4000-8000-000000000001',
    aud: CLIENT_ID,
    event_id: 'e1f2a3b4-0000-4000-8000-000000000002',
    token_use: 'id',
    auth_time: now(),
    exp: now() + 3600,
    iat: now(),
    jti: 'c0ffee00-0000-4000-8000-000000000003',
    email,
    ...custom,
  })
}

/** The V2 event Cognito sends the trigger at a hosted-UI sign-in. */
function triggerEvent(attributes: Record<string, string>): PreTokenGenerationV2TriggerEvent {
  return {
    version: '2',
    triggerSource: 'TokenGeneration_HostedAuth',
    region: REGION,
    userPoolId: POOL_ID,
    userName: SUB,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: CLIENT_ID },
    request: {
      userAttributes: attributes,
      groupConfiguration: { groupsToOverride: ['editor'], iamRolesToOverride: [], preferredRole: undefined },
      scopes: ['openid', 'email', 'profile'],
    },
    response: { claimsAndScopeOverrideDetails: null as never },
  }
}

/** An access token as Cognito issues it: no `aud`, `client_id` instead, plus the trigger's claims. */
async function cognitoAccessToken(attributes: Record<string, string> = USER_ATTRIBUTES) {
  const answered = await preTokenGeneration(triggerEvent(attributes))
  const added = answered.response.claimsAndScopeOverrideDetails.accessTokenGeneration?.claimsToAddOrOverride
  return signWithPoolKey({
    sub: SUB,
    'cognito:groups': ['editor'],
    iss: ISSUER,
    version: 2,
    client_id: CLIENT_ID,
    origin_jti: 'a1b2c3d4-0000-4000-8000-000000000001',
    event_id: 'e1f2a3b4-0000-4000-8000-000000000002',
    token_use: 'access',
    scope: 'openid email profile',
    auth_time: now(),
    exp: now() + 3600,
    iat: now(),
    jti: 'c0ffee00-0000-4000-8000-000000000004',
    username: SUB,
    ...added,
  })
}

describe('Cognito tokens reach the app with the custom attributes', () => {
  it('an ID token carries custom:org and custom:countries into the principal', async () => {
    const principal = await verifier.verify(await cognitoIdToken())
    expect(principal).toMatchObject({ subject: SUB, roles: ['editor'], org: 'ACME', countries: ['DK', 'NO'] })
  })

  it('the pre-token-generation trigger copies them into the access token, and only them', async () => {
    const answered = await preTokenGeneration(triggerEvent(USER_ATTRIBUTES))
    expect(answered.response.claimsAndScopeOverrideDetails).toEqual({
      accessTokenGeneration: { claimsToAddOrOverride: { 'custom:org': 'ACME', 'custom:countries': 'DK,NO' } },
    })
    const principal = await verifier.verify(await cognitoAccessToken())
    expect(principal).toMatchObject({ subject: SUB, roles: ['editor'], org: 'ACME', countries: ['DK', 'NO'] })
  })

  it('a user without the attributes gets neither claim (no organisation, no country scope)', async () => {
    const { 'custom:org': _org, 'custom:countries': _countries, ...plain } = USER_ATTRIBUTES
    const answered = await preTokenGeneration(triggerEvent(plain))
    expect(answered.response.claimsAndScopeOverrideDetails.accessTokenGeneration).toEqual({
      claimsToAddOrOverride: {},
    })
    for (const token of [await cognitoIdToken(plain), await cognitoAccessToken(plain)]) {
      const principal = await verifier.verify(token)
      expect(principal.org).toBeUndefined()
      expect(principal.countries).toBeUndefined()
    }
  })

  it('reads custom:countries as unique upper-case ISO codes, and refuses a claim it cannot read', async () => {
    const lenient = await verifier.verify(
      await cognitoIdToken({ ...USER_ATTRIBUTES, 'custom:countries': ' dk, NO ,DK' }),
    )
    expect(lenient.countries).toEqual(['DK', 'NO'])
    // A scope that cannot be read must never become "every country": the token is refused.
    for (const bad of ['DK,XX', 'Denmark', 'DK;NO', 'DK,,NO']) {
      await expect(
        verifier.verify(await cognitoIdToken({ ...USER_ATTRIBUTES, 'custom:countries': bad })),
        bad,
      ).rejects.toThrow(/custom:countries/)
    }
  })

  it('trusts neither token from another app client or pool', async () => {
    const idToken = await signWithPoolKey({
      sub: SUB,
      iss: ISSUER,
      aud: 'another-client',
      token_use: 'id',
      exp: now() + 60,
    })
    await expect(verifier.verify(idToken)).rejects.toThrow(/audience/)
    const accessToken = await signWithPoolKey({
      sub: SUB,
      iss: ISSUER,
      client_id: 'another-client',
      token_use: 'access',
      exp: now() + 60,
    })
    await expect(verifier.verify(accessToken)).rejects.toThrow(/audience/)
    const otherPool = await signWithPoolKey({
      sub: SUB,
      iss: `https://cognito-idp.${REGION}.amazonaws.com/${REGION}_Other`,
      aud: CLIENT_ID,
      token_use: 'id',
      exp: now() + 60,
    })
    await expect(verifier.verify(otherPool)).rejects.toThrow(/issuer/)
  })

  it('a portfolio answers to an access token of the organisation (the 403 seen in AWS)', async () => {
    const t = await createTestContext()
    const api = createApp({ ...t.deps, verifier })
    const headers = (token: string) => ({
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    })

    const created = await api.request('/v1/projects', {
      method: 'POST',
      headers: headers(await cognitoAccessToken()),
      body: JSON.stringify(projectBody()),
    })
    expect(created.status).toBe(201)
    const listed = await api.request('/v1/projects', { headers: headers(await cognitoIdToken()) })
    expect(listed.status).toBe(200)
    expect(((await listed.json()) as { items: unknown[] }).items).toHaveLength(1)

    const { 'custom:org': _org, ...noOrg } = USER_ATTRIBUTES
    const refused = await api.request('/v1/projects', { headers: headers(await cognitoAccessToken(noOrg)) })
    expect(refused.status).toBe(403)
  })
})
