import { randomUUID } from 'node:crypto'
import { inject } from 'vitest'
import { createApp } from '../../functions/api/app'
import { createPublicApp } from '../../functions/api/public-app'
import { ensureBucket } from '../../scripts/lib/s3-local'
import { createDeps, type Deps } from '../../shared/deps'
import { createJwtVerifier } from '../../shared/platform/auth'
import { parseConfig } from '../../shared/platform/config'
import { createDocumentClient, ensureTable } from '../../shared/platform/dynamodb'
import { silentLogger } from '../../shared/platform/logger'
import { createS3Client } from '../../shared/platform/s3'
import { fixedClock } from '../../shared/platform/time'
import { type SignOptions, TEST_AUDIENCE, TEST_ISSUER, testIssuer } from './tokens'

export const DEFAULT_NOW = '2026-11-22T10:00:00.000Z'

/**
 * A fresh table on the shared DynamoDB Local, and the real app wired to it, with a controllable
 * clock and a local token issuer. Each test (or file) makes its own, so nothing depends on order.
 */
export async function createTestContext(
  options: {
    now?: string
    env?: Record<string, string>
    /** A bucket of its own on the shared s3rver for the catalogue snapshot (SNAPSHOT_BUCKET). */
    snapshots?: boolean
    /** Parts of the composition root to replace (the import queue, say). */
    deps?: Partial<Deps>
  } = {},
) {
  const endpoint = inject('dynamodbEndpoint')
  const tableName = `t-${randomUUID()}`
  const bucket = options.snapshots ? tableName : undefined
  const config = parseConfig({
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    LOG_LEVEL: 'silent',
    ...(bucket ? { SNAPSHOT_BUCKET: bucket, S3_ENDPOINT: inject('s3Endpoint') } : {}),
    ...options.env,
  })
  const client = createDocumentClient({ region: config.region, endpoint })
  await ensureTable(client, tableName)
  if (bucket)
    await ensureBucket(createS3Client({ region: config.region, endpoint: config.s3Endpoint }), bucket)
  const issuer = await testIssuer()
  const clock = fixedClock(options.now ?? DEFAULT_NOW)
  const deps = createDeps(config, {
    client,
    verifier: createJwtVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      keys: { jwks: issuer.jwks },
    }),
    clock,
    logger: silentLogger,
    ...options.deps,
  })
  const { store } = deps
  // The app each deployed function runs: the public function its share, the others the whole app.
  const app = config.apiSurface === 'public' ? createPublicApp(deps) : createApp(deps)

  const token = (roles: string[] | SignOptions = []) => issuer.sign(Array.isArray(roles) ? { roles } : roles)

  /** `app.request` with JSON bodies and optional bearer role. */
  const call = async (
    method: string,
    path: string,
    init: { body?: unknown; role?: 'editor' | 'admin' | string[]; headers?: Record<string, string> } = {},
  ) => {
    const headers: Record<string, string> = { ...init.headers }
    if (init.body !== undefined) headers['content-type'] ??= 'application/json'
    if (init.role)
      headers.authorization = `Bearer ${await token(Array.isArray(init.role) ? init.role : [init.role])}`
    const response = await app.request(path, {
      method,
      headers,
      body:
        init.body === undefined
          ? undefined
          : typeof init.body === 'string'
            ? init.body
            : JSON.stringify(init.body),
    })
    const text = await response.text()
    let json: any
    try {
      json = text ? JSON.parse(text) : undefined
    } catch {
      json = undefined
    }
    return { status: response.status, headers: response.headers, json, text }
  }

  return { app, deps, store, clock, client, tableName, config, issuer, token, call }
}

export type TestContext = Awaited<ReturnType<typeof createTestContext>>
