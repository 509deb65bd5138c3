import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK, SignJWT } from 'jose'
import {
  createJwtVerifier,
  type Role,
  type TokenSigner,
  type TokenVerifier,
} from '../../shared/platform/auth'
import type { Config } from '../../shared/platform/config'

/**
 * The local stand-in for Cognito: an RS256 key pair created on first run and kept out of git
 * (`.local/`), used to sign tokens for `npm run token` and the local sign-in form. The API verifies
 * them through the same JWKS code path as Cognito tokens. Never configured in a deployed stack.
 */
interface DevIssuerKeyFile {
  kid: string
  privateJwk: JWK
  publicJwk: JWK
}

async function createKeyFile(file: string): Promise<DevIssuerKeyFile> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true })
  const kid = `dev-${Date.now().toString(36)}`
  const keyFile: DevIssuerKeyFile = {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
  }
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, JSON.stringify(keyFile, null, 2), { mode: 0o600, flag: 'wx' }).catch(
    async (error) => {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    },
  )
  await chmod(file, 0o600).catch(() => undefined)
  return JSON.parse(await readFile(file, 'utf8')) as DevIssuerKeyFile
}

/** Reads the key file, creating it on first use. */
export async function ensureDevIssuerKey(file: string): Promise<DevIssuerKeyFile> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as DevIssuerKeyFile
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    return createKeyFile(file)
  }
}

export async function devIssuerJwks(file: string): Promise<JSONWebKeySet> {
  const { publicJwk } = await ensureDevIssuerKey(file)
  return { keys: [publicJwk] }
}

export interface DevTokenOptions {
  keyFile: string
  issuer: string
  audience: string
  subject?: string
  name?: string
  roles?: Role[]
  org?: string
  /** `custom:countries` of a country-scoped editor. */
  countries?: string[]
  /** Lifetime in seconds (default one hour). */
  ttlSeconds?: number
  now?: Date
}

export async function signDevToken(options: DevTokenOptions): Promise<string> {
  const { kid, privateJwk } = await ensureDevIssuerKey(options.keyFile)
  const key = await importJWK(privateJwk, 'RS256')
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000)
  const subject = options.subject ?? 'local-user'
  return new SignJWT({
    'cognito:groups': options.roles ?? [],
    'cognito:username': options.name ?? subject,
    ...(options.org ? { 'custom:org': options.org } : {}),
    ...(options.countries?.length ? { 'custom:countries': options.countries.join(',') } : {}),
    token_use: 'id',
  })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setSubject(subject)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (options.ttlSeconds ?? 3600))
    .sign(key)
}

/**
 * The dev issuer as the composition root takes it (`createDeps(config, await devIssuerDeps(config))`):
 * a verifier that trusts its key and the signer behind the local sign-in form. Only `npm start`,
 * the local scripts and the tests call this; the deployed bundles never import this file.
 */
export interface DevIssuer {
  verifier: TokenVerifier
  devSignIn: TokenSigner
  jwks: JSONWebKeySet
}

export async function devIssuerDeps(config: Config): Promise<DevIssuer> {
  const keyFile = config.auth.devIssuerKeyFile
  if (!keyFile) throw new Error('DEV_ISSUER_KEY_FILE is not set: the dev issuer is disabled.')
  const jwks = await devIssuerJwks(keyFile)
  const { issuer, audience } = config.auth
  return {
    jwks,
    verifier: createJwtVerifier({ issuer, audience, keys: { jwks } }),
    devSignIn: {
      sign: (claims) => signDevToken({ keyFile, issuer, audience, ...claims }),
    },
  }
}
