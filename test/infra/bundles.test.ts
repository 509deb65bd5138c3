import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { App } from 'aws-cdk-lib'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { buildApp } from '../../infra/app'
import { ENTRIES, esbuildOptions, PROJECT_ROOT } from '../../infra/bundling'
import { EXPIRY_METRICS } from '../../infra/fundfinder-stack'
import { ensureBucket } from '../../scripts/lib/s3-local'
import { InstrumentInput } from '../../shared/catalogue/instrument'
import { DynamoInstrumentStore } from '../../shared/catalogue/store/instrument-store'
import { createDocumentClient, ensureTable } from '../../shared/platform/dynamodb'
import { createS3Client } from '../../shared/platform/s3'
import { httpApiEvent } from '../support/api-gateway-event'
import { instrumentBody } from '../support/factories'
import { cdkContext } from './synth'

/**
 * Bundles every Lambda entry with the options the CDK construct uses (infra/bundling.ts) and runs
 * each bundle in a fresh Node process, as Lambda would: import the module, call `handler`. The
 * bundles carry their dependencies and the AWS SDK, so they run from a directory with no
 * node_modules.
 */
const run = promisify(execFile)
const RESULT_MARKER = '@@handler-result@@'
const RUNNER = `
const { handler } = await import(process.env.BUNDLE_URL)
const context = { awsRequestId: 'test-request', functionName: 'test', getRemainingTimeInMillis: () => 300000 }
const result = await handler(JSON.parse(process.env.EVENT), context)
process.stdout.write('\\n${RESULT_MARKER}' + JSON.stringify(result) + '\\n')
`

let outdir: string
const ENTRY_NAMES = ['api', 'expireInstruments', 'publishSnapshot'] as const
const bundles = { api: '', expireInstruments: '', publishSnapshot: '' }
const deployed = { api: '', expireInstruments: '', publishSnapshot: '' }
const sizes: Record<string, number> = {}
/** Source files esbuild put into each bundle (its metafile's inputs), relative to the project root. */
const inputs: Record<string, string[]> = {}

beforeAll(async () => {
  outdir = await mkdtemp(path.join(tmpdir(), 'fundfinder-bundles-'))
  for (const name of ENTRY_NAMES) {
    const outfile = path.join(outdir, name, 'index.mjs')
    const { metafile } = await build({
      ...esbuildOptions(path.join(PROJECT_ROOT, ENTRIES[name]), outfile),
      metafile: true,
    })
    inputs[name] = Object.keys(metafile.inputs)
    bundles[name] = outfile
    sizes[name] = (await stat(outfile)).size
  }
  // Straight after: what `cdk synth` bundles for the same functions (the tree may change between the two).
  const { app, stack } = buildApp(
    new App({ context: { ...cdkContext('dev', {}, true), 'aws:cdk:enable-asset-metadata': true } }),
  )
  const assembly = app.synth()
  const template = assembly.getStackByName(stack.stackName).template
  const assetOf = (description: RegExp) => {
    const fn = Object.values<any>(template.Resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && description.test(r.Properties.Description),
    )
    return path.join(assembly.directory, fn.Metadata['aws:asset:path'], 'index.mjs')
  }
  deployed.api = assetOf(/HTTP API/)
  deployed.expireInstruments = assetOf(/expired instruments/)
  deployed.publishSnapshot = assetOf(/publishes the catalogue snapshot/)
}, 180_000)

afterAll(async () => {
  await rm(outdir, { recursive: true, force: true })
})

/** Runs a bundle's handler once in a new process with only the given environment (plus PATH). */
async function invokeBundle(bundle: string, event: unknown, env: Record<string, string>) {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '--enable-source-maps', '-e', RUNNER],
    {
      cwd: path.dirname(bundle),
      env: {
        PATH: process.env.PATH,
        BUNDLE_URL: pathToFileURL(bundle).href,
        EVENT: JSON.stringify(event),
        ...env,
      },
      timeout: 60_000,
      maxBuffer: 10 * 1024 * 1024,
    },
  )
  const [logs, result] = stdout.split(RESULT_MARKER) as [string, string]
  return { result: JSON.parse(result), logLines: logs.split('\n').filter((line) => line.startsWith('{')) }
}

/**
 * A fresh table on DynamoDB Local (and, with `snapshots`, a bucket on s3rver) and the environment
 * a deployed function would get for them.
 */
async function tableWithEnvironment(options: { snapshots?: boolean } = {}) {
  const endpoint = inject('dynamodbEndpoint')
  const tableName = `t-${randomUUID()}`
  const client = createDocumentClient({ region: 'eu-west-1', endpoint })
  await ensureTable(client, tableName)
  const s3Endpoint = inject('s3Endpoint')
  if (options.snapshots)
    await ensureBucket(createS3Client({ region: 'eu-west-1', endpoint: s3Endpoint }), tableName)
  const env: Record<string, string> = {
    ...(options.snapshots ? { SNAPSHOT_BUCKET: tableName, S3_ENDPOINT: s3Endpoint } : {}),
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: endpoint,
    AWS_REGION: 'eu-west-1',
    AUTH_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
    AUTH_AUDIENCE: 'example-client-id',
    LOG_LEVEL: 'silent',
    NODE_OPTIONS: '--enable-source-maps',
  }
  return { store: new DynamoInstrumentStore(client, tableName), env }
}

describe('the deployed bundles', () => {
  it('are single ESM files of reasonable size', () => {
    for (const [name, bytes] of Object.entries(sizes)) {
      expect(bytes, name).toBeGreaterThan(50_000)
      expect(bytes, name).toBeLessThan(5_000_000)
    }
  })

  it('never carry the local dev issuer or other local tooling (it cannot mint a token in AWS)', () => {
    for (const name of ENTRY_NAMES) {
      expect(inputs[name]?.length, name).toBeGreaterThan(10)
      const local = (inputs[name] ?? []).filter((input) => /^(scripts|bench|test)\//.test(input))
      expect(local, name).toEqual([])
      expect(inputs[name], name).not.toContain('scripts/lib/dev-issuer.ts')
    }
    expect(inputs.api).toContain('functions/web/routes/sign-in.tsx')
  })

  it('are byte for byte what `cdk synth` packages for each function', async () => {
    for (const name of ENTRY_NAMES) {
      expect((await readFile(deployed[name])).equals(await readFile(bundles[name])), name).toBe(true)
    }
  })

  it('API bundle answers /health and reads DynamoDB, from a v2 event', async () => {
    const { store, env } = await tableWithEnvironment()
    const record = await store.create(
      InstrumentInput.parse(instrumentBody({ name: 'Read through the bundle', deadline: '2099-01-01' })),
      'tester',
      new Date(),
    )

    const health = await invokeBundle(bundles.api, httpApiEvent('GET', '/health'), env)
    expect(health.result.statusCode).toBe(200)
    expect(JSON.parse(health.result.body)).toEqual({ status: 'ok' })

    const read = await invokeBundle(bundles.api, httpApiEvent('GET', `/v1/instruments/${record.id}`), env)
    expect(read.result.statusCode).toBe(200)
    expect(JSON.parse(read.result.body)).toMatchObject({ id: record.id, name: 'Read through the bundle' })

    // Writes need a Cognito token; without one the bundle answers 401 with a challenge.
    const write = await invokeBundle(
      bundles.api,
      httpApiEvent('POST', '/v1/instruments', {
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
      env,
    )
    expect(write.result.statusCode).toBe(401)
    expect(write.result.headers['www-authenticate']).toMatch(/^Bearer/)
  })

  it('expiry bundle archives what has expired and emits the metrics the alarm watches', async () => {
    const { store, env } = await tableWithEnvironment()
    const now = new Date()
    const expired = await store.create(
      InstrumentInput.parse(instrumentBody({ name: 'Closed call', deadline: '2020-01-31' })),
      'tester',
      now,
    )
    const open = await store.create(
      InstrumentInput.parse(instrumentBody({ name: 'Open call', deadline: '2099-01-31' })),
      'tester',
      now,
    )

    const run1 = await invokeBundle(bundles.expireInstruments, {}, env)
    expect(run1.result).toMatchObject({ archived: 1, failed: 0 })
    expect(await store.get(expired.id)).toBeUndefined()
    expect(await store.getArchived(expired.id)).toMatchObject({
      instrument: { id: expired.id },
      reason: 'expired',
    })
    expect(await store.get(open.id)).toMatchObject({ id: open.id })

    // Embedded metric format lines: the namespace and `service` dimension the ExpiryFailures alarm uses.
    const metrics = run1.logLines.map((line) => JSON.parse(line)).filter((entry) => entry._aws)
    expect(metrics.length).toBeGreaterThan(0)
    for (const entry of metrics) {
      expect(entry._aws.CloudWatchMetrics[0].Namespace).toBe(EXPIRY_METRICS.namespace)
      expect(entry._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']])
      expect(entry.service).toBe(EXPIRY_METRICS.service)
    }
    const values = Object.assign({}, ...metrics)
    expect(values).toMatchObject({ ExpiryFailures: 0, InstrumentsArchived: 1 })

    const run2 = await invokeBundle(bundles.expireInstruments, {}, env)
    expect(run2.result).toMatchObject({ archived: 0, failed: 0 })
  })

  it('publisher bundle publishes a snapshot from a stream event, and a cold API bundle loads it', async () => {
    const { store, env } = await tableWithEnvironment({ snapshots: true })
    const record = await store.create(
      InstrumentInput.parse(instrumentBody({ name: 'Published through the bundle', deadline: '2099-01-01' })),
      'tester',
      new Date(),
    )
    // What the filtered stream delivers: a change of the catalogue version item, keys only.
    const streamEvent = {
      Records: [
        {
          eventID: '1',
          eventName: 'MODIFY',
          eventSource: 'aws:dynamodb',
          awsRegion: 'eu-west-1',
          dynamodb: { Keys: { pk: { S: 'META' }, sk: { S: 'CATALOGUE' } }, StreamViewType: 'KEYS_ONLY' },
        },
      ],
    }
    const published = await invokeBundle(bundles.publishSnapshot, streamEvent, { ...env, LOG_LEVEL: 'info' })
    expect(published.result).toMatchObject({ published: true, version: 1, records: 1, basis: 'table' })
    expect(published.logLines.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ message: 'catalogue snapshot published', service: 'fundfinder-snapshot' }),
    )

    const search = await invokeBundle(
      bundles.api,
      httpApiEvent('GET', '/v1/instruments', { rawQueryString: 'q=published' }),
      { ...env, LOG_LEVEL: 'info' },
    )
    expect(search.result.statusCode).toBe(200)
    expect(JSON.parse(search.result.body).items.map((item: { id: string }) => item.id)).toEqual([record.id])
    expect(search.logLines.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ message: 'catalogue loaded', source: 'snapshot', version: 1, records: 1 }),
    )
  })
})
