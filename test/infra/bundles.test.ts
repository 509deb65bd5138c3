import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { gunzipSync } from 'node:zlib'
import { App } from 'aws-cdk-lib'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { EXPIRY_METRICS } from '../../functions/expire-instruments/metrics'
import { FEEDBACK_METRICS } from '../../functions/mail-feedback/metrics'
import { DIGEST_METRICS } from '../../functions/send-digests/metrics'
import { buildApp } from '../../infra/app'
import {
  BUNDLE_ENTRY_FILE,
  bundleEntry,
  ENTRIES,
  loadedAtStart,
  RUNTIME_PACKAGE_FILES,
} from '../../infra/bundling'
import { bulkLoadLive } from '../../scripts/lib/bulk-load'
import { ensureBucket } from '../../scripts/lib/s3-local'
import { generateCatalogue } from '../../scripts/lib/synthetic-catalogue'
import { DynamoImportJobStore } from '../../shared/catalogue/imports/dynamo-import-job-store'
import { newImportJob } from '../../shared/catalogue/imports/import-jobs'
import { isExpired } from '../../shared/catalogue/instrument'
import { DynamoInstrumentStore } from '../../shared/catalogue/store'
import { LAMBDA_RESPONSE_LIMIT_BYTES } from '../../shared/platform/config'
import { createDocumentClient, ensureTable } from '../../shared/platform/dynamodb'
import { createS3Client } from '../../shared/platform/s3'
import { addressHash } from '../../shared/subscriptions/email-address'
import { DynamoSubscriptionStore } from '../../shared/subscriptions/store/subscription-store'
import { subscriptionId } from '../../shared/subscriptions/subscription'
import { httpApiEvent } from '../support/api-gateway-event'
import { instrumentInput } from '../support/factories'
import { startTestMailServer } from '../support/mail-server'
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

type EntryName = keyof typeof ENTRIES
const ENTRY_NAMES = Object.keys(ENTRIES) as EntryName[]

/** The deployed functions that run each entry, by their description; every entry must have some. */
const FUNCTIONS_OF_ENTRY: Record<EntryName, RegExp> = {
  publicApi: /HTTP API, public surface/,
  api: /HTTP API, write surface/,
  expireInstruments: /expired instruments/,
  preTokenGeneration: /access tokens/,
  sendDigests: /due email digests/,
  mailFeedback: /bounced and complaining/,
  syncInstruments: /syncs calls from the EU/,
  publishSnapshot: /publishes the catalogue snapshot/,
  importInstruments: /asynchronous instrument imports/,
}

let outdir: string
/** The entry module of each bundle (what Lambda imports); its directory holds the rest. */
const bundles = {} as Record<EntryName, string>
/** What `cdk synth` packaged for each function running the entry: the asset directories. */
const deployed = {} as Record<EntryName, string[]>
/** Bytes of JavaScript a cold start loads: the entry module and the chunks it imports statically. */
const startBytes: Record<string, number> = {}
/** Source files esbuild put into each bundle (its metafile's inputs), relative to the project root. */
const inputs = {} as Record<EntryName, string[]>
/** Source files in the modules a cold start loads (not those only reached through `import()`). */
const startInputs = {} as Record<EntryName, string[]>
/** Node built-ins the modules a cold start loads import as ES modules (`import x from 'node:…'`). */
const startBuiltinImports = {} as Record<EntryName, string[]>

beforeAll(async () => {
  outdir = await mkdtemp(path.join(tmpdir(), 'fundfinder-bundles-'))
  for (const name of ENTRY_NAMES) {
    const bundleDir = path.join(outdir, name)
    const metafile = bundleEntry(ENTRIES[name], bundleDir)
    inputs[name] = Object.keys(metafile.inputs)
    const atStart = loadedAtStart(metafile, ENTRIES[name])
    startInputs[name] = [...new Set(atStart.flatMap((output) => Object.keys(output.inputs)))]
    startBytes[name] = atStart.reduce((sum, output) => sum + output.bytes, 0)
    startBuiltinImports[name] = atStart.flatMap((output) =>
      output.imports.flatMap(({ path: imported, kind, external }) =>
        external && kind === 'import-statement' ? [imported] : [],
      ),
    )
    bundles[name] = path.join(bundleDir, BUNDLE_ENTRY_FILE)
  }
  // Straight after: what `cdk synth` bundles for the same functions (the tree may change between the two).
  const { app, stack } = buildApp(
    new App({ context: { ...cdkContext('dev', {}, true), 'aws:cdk:enable-asset-metadata': true } }),
  )
  const assembly = app.synth()
  const template = assembly.getStackByName(stack.stackName).template
  // CDK's own custom-resource providers (the dev stack's bucket emptying) are not entries of ours.
  const functions = Object.entries<any>(template.Resources)
    .filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && !id.startsWith('Custom'))
    .map(([, r]) => r)
  for (const name of ENTRY_NAMES) {
    deployed[name] = functions
      .filter((fn) => FUNCTIONS_OF_ENTRY[name].test(fn.Properties.Description))
      .map((fn) => path.join(assembly.directory, fn.Metadata['aws:asset:path']))
  }
  const claimed = ENTRY_NAMES.flatMap((name) => deployed[name])
  expect(claimed).toHaveLength(functions.length)
}, 180_000)

afterAll(async () => {
  await rm(outdir, { recursive: true, force: true })
})

/** Every file below a directory, relative to it, sorted. */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort()
}

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
  return {
    result: JSON.parse(result),
    // What Lambda measures against its response limit: the handler's result, serialised.
    payloadBytes: Buffer.byteLength(result.trim()),
    logLines: logs.split('\n').filter((line) => line.startsWith('{')),
  }
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
  return { store: new DynamoInstrumentStore(client, tableName), env, client, tableName }
}

describe('the deployed bundles', () => {
  it('load an ESM entry module (and the chunks it imports) of reasonable size at start', () => {
    for (const [name, bytes] of Object.entries(startBytes)) {
      // The Cognito trigger is a few lines with no dependencies; the others carry the SDK.
      expect(bytes, name).toBeGreaterThan(name === 'preTokenGeneration' ? 200 : 50_000)
      expect(bytes, name).toBeLessThan(5_000_000)
    }
  })

  it('never carry the local dev issuer or other local tooling (it cannot mint a token in AWS)', () => {
    for (const name of ENTRY_NAMES) {
      expect(inputs[name]?.length, name).toBeGreaterThan(name === 'preTokenGeneration' ? 1 : 10)
      const local = (inputs[name] ?? []).filter((input) => /^(scripts|bench|test)\//.test(input))
      expect(local, name).toEqual([])
      expect(inputs[name], name).not.toContain('scripts/lib/dev-issuer.ts')
    }
    expect(inputs.api).toContain('functions/web/routes/sign-in.tsx')
  })

  it("public API bundle's cold start loads neither the write surface's routes and pages nor mail and S3", () => {
    const atStart = startInputs.publicApi
    expect(atStart).toContain('functions/api/routes/instruments/instruments.routes.ts')
    expect(atStart).toContain('functions/web/routes/public-pages.tsx')
    for (const module of [
      'functions/api/routes/projects/projects.routes.ts',
      'functions/api/routes/imports/imports.routes.ts',
      'functions/web/routes/admin-pages.tsx',
      'functions/web/routes/sign-in.tsx',
      'shared/subscriptions/mail/transport.ts',
      'node_modules/nodemailer/dist/esm/nodemailer.js',
      'node_modules/@aws-sdk/client-s3/dist-es/index.js',
    ])
      expect(atStart, module).not.toContain(module)
    // Still in the bundle: the OpenAPI document (all routes) and the snapshot reader load on demand.
    expect(inputs.publicApi).toContain('functions/api/routes/projects/projects.routes.ts')
    expect(inputs.publicApi).toContain('node_modules/@aws-sdk/client-s3/dist-es/index.js')
  })

  it('API bundles import node:http as CommonJS only: its ES facade would load undici at every cold start', () => {
    for (const name of ['publicApi', 'api'] as const) {
      expect(startBuiltinImports[name].length, name).toBeGreaterThan(0)
      // Written `node:http` or `http`, it is the same module and the same facade.
      expect(
        startBuiltinImports[name].map((imported) => imported.replace(/^node:/, '')),
        name,
      ).not.toContain('http')
    }
  })

  it('are byte for byte what `cdk synth` packages for each function, every file of them', async () => {
    expect(deployed.publicApi).toHaveLength(1)
    expect(deployed.api).toHaveLength(1)
    for (const name of ENTRY_NAMES) {
      expect(deployed[name].length, name).toBeGreaterThan(0)
      const tested = path.dirname(bundles[name])
      const testedFiles = await filesBelow(tested)
      expect(testedFiles, name).toContain(BUNDLE_ENTRY_FILE)
      for (const packaged of deployed[name]) {
        expect(await filesBelow(packaged), name).toEqual(testedFiles)
        for (const file of testedFiles) {
          const same = (await readFile(path.join(packaged, file))).equals(
            await readFile(path.join(tested, file)),
          )
          expect(same, `${name}: ${file}`).toBe(true)
        }
      }
    }
    const apiFiles = await filesBelow(path.dirname(bundles.publicApi))
    for (const file of RUNTIME_PACKAGE_FILES[ENTRIES.publicApi] ?? [])
      expect(apiFiles).toContain(`node_modules/${file}`)
    expect(RUNTIME_PACKAGE_FILES[ENTRIES.publicApi]).toContain('swagger-ui-dist/swagger-ui-bundle.js')
  })

  it('API bundle serves the API reference and its viewer from the files packaged beside it', async () => {
    const { env } = await tableWithEnvironment()
    const docs = await invokeBundle(bundles.publicApi, httpApiEvent('GET', '/docs'), env)
    expect(docs.result.statusCode).toBe(200)
    const assets = [...String(docs.result.body).matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map(
      (match) => match[1] ?? '',
    )
    expect(assets).toHaveLength(3)
    for (const asset of assets) {
      const served = await invokeBundle(bundles.publicApi, httpApiEvent('GET', asset), env)
      expect(served.result.statusCode, asset).toBe(200)
      expect(String(served.result.body).length, asset).toBeGreaterThan(100)
    }
  })

  it('API bundle answers /health and reads DynamoDB, from a v2 event', async () => {
    const { store, env } = await tableWithEnvironment()
    const record = await store.create(
      instrumentInput({ name: 'Read through the bundle', deadline: '2099-01-01' }),
      'tester',
      new Date(),
    )

    const health = await invokeBundle(bundles.publicApi, httpApiEvent('GET', '/health'), env)
    expect(health.result.statusCode).toBe(200)
    expect(JSON.parse(health.result.body)).toEqual({ status: 'ok' })

    const read = await invokeBundle(
      bundles.publicApi,
      httpApiEvent('GET', `/v1/instruments/${record.id}`),
      env,
    )
    expect(read.result.statusCode).toBe(200)
    expect(JSON.parse(read.result.body)).toMatchObject({ id: record.id, name: 'Read through the bundle' })

    // Writes (the write function's) need a Cognito token; without one the bundle answers 401 with a challenge.
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

  it("API bundle serves one surface per function, and answers with API Gateway's request id", async () => {
    const { env } = await tableWithEnvironment()
    const write = httpApiEvent('POST', '/v1/instruments', {
      headers: { 'content-type': 'application/json', 'x-request-id': 'from-the-caller' },
      body: '{}',
    })
    const gatewayId = (write.requestContext as { requestId: string }).requestId
    const onPublic = await invokeBundle(bundles.publicApi, write, { ...env, API_SURFACE: 'public' })
    expect(onPublic.result.statusCode).toBe(404)
    expect(onPublic.result.headers['x-request-id']).toBe(gatewayId)
    expect(JSON.parse(onPublic.result.body)).toMatchObject({ status: 404, requestId: gatewayId })
    const onWrite = await invokeBundle(bundles.api, write, { ...env, API_SURFACE: 'write' })
    expect(onWrite.result.statusCode).toBe(401)
    const searchOnWrite = await invokeBundle(bundles.api, httpApiEvent('GET', '/v1/instruments'), {
      ...env,
      API_SURFACE: 'write',
    })
    expect(searchOnWrite.result.statusCode).toBe(404)
  })

  it('API bundle traces to X-Ray: a DynamoDB subsegment and the request annotated with its gateway id', async () => {
    const { store, env } = await tableWithEnvironment()
    const record = await store.create(instrumentInput({ deadline: '2099-01-01' }), 'tester', new Date())
    // A local UDP listener plays the X-Ray daemon; the Lambda runtime's variables turn tracing on.
    const daemon = createSocket('udp4')
    const documents: any[] = []
    daemon.on('message', (message) => {
      for (const line of message.toString('utf8').split('\n').slice(1))
        if (line) documents.push(JSON.parse(line))
    })
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve))
    try {
      const event = httpApiEvent('GET', `/v1/instruments/${record.id}`)
      const { result } = await invokeBundle(bundles.publicApi, event, {
        ...env,
        API_SURFACE: 'public',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        LAMBDA_TASK_ROOT: path.dirname(bundles.publicApi),
        AWS_LAMBDA_FUNCTION_NAME: 'fundfinder-public-api',
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        _X_AMZN_TRACE_ID: 'Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1',
        AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
        AWS_XRAY_LOG_LEVEL: 'silent',
      })
      expect(result.statusCode).toBe(200)
      await vi.waitFor(() => expect(documents.some((d) => d.name === '## handler')).toBe(true), {
        timeout: 5000,
      })
      const handlerSegment = documents.find((d) => d.name === '## handler')
      expect(handlerSegment).toMatchObject({
        trace_id: '1-67891233-abcdef012345678912345678',
        parent_id: '53995c3f42cd8ad8',
        annotations: {
          requestId: (event.requestContext as { requestId: string }).requestId,
          routeKey: '$default',
          status: 200,
          ColdStart: true,
          Service: 'fundfinder-api-public',
        },
      })
      const dynamodb = documents.filter((d) => d.name === 'DynamoDB')
      expect(dynamodb.length).toBeGreaterThan(0)
      expect(dynamodb.map((d) => d.aws?.operation)).toContain('GetItem')
      for (const call of dynamodb) expect(call.trace_id).toBe(handlerSegment.trace_id)
    } finally {
      daemon.close()
    }
  })

  it('pre-token-generation bundle adds the custom attributes to the access token claims', async () => {
    const event = {
      version: '2',
      triggerSource: 'TokenGeneration_RefreshTokens',
      region: 'eu-west-1',
      userPoolId: 'eu-west-1_AbCdEf123',
      userName: 'abc',
      callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'client' },
      request: {
        userAttributes: {
          sub: 'abc',
          email: 'a@example.org',
          'custom:org': 'ACME',
          'custom:countries': 'DK',
        },
        groupConfiguration: { groupsToOverride: ['editor'] },
        scopes: ['openid'],
      },
      response: { claimsAndScopeOverrideDetails: null },
    }
    const { result } = await invokeBundle(bundles.preTokenGeneration, event, { PATH: process.env.PATH ?? '' })
    expect(result.response.claimsAndScopeOverrideDetails).toEqual({
      accessTokenGeneration: { claimsToAddOrOverride: { 'custom:org': 'ACME', 'custom:countries': 'DK' } },
    })
  })

  it('API bundle exports 10,000 rows within the Lambda response limit: gzip when accepted, else a clear problem', async () => {
    const { client, tableName, env } = await tableWithEnvironment()
    const now = new Date()
    const records = generateCatalogue(10_600, now)
      .filter((record) => !isExpired(record, now))
      .slice(0, 10_000)
    expect(records).toHaveLength(10_000)
    await bulkLoadLive(client, tableName, records, { bumpCatalogueVersion: true })
    const exportEvent = (headers: Record<string, string>) =>
      httpApiEvent('GET', '/v1/exports/instruments.csv', { headers: { accept: 'text/csv', ...headers } })

    const gzipped = await invokeBundle(bundles.publicApi, exportEvent({ 'accept-encoding': 'gzip, br' }), env)
    expect(gzipped.result.statusCode).toBe(200)
    expect(gzipped.result.isBase64Encoded).toBe(true)
    expect(gzipped.result.headers['content-encoding']).toBe('gzip')
    expect(gzipped.result.headers['x-total-count']).toBe('10000')
    expect(gzipped.payloadBytes).toBeLessThan(LAMBDA_RESPONSE_LIMIT_BYTES)
    const csv = gunzipSync(Buffer.from(gzipped.result.body, 'base64')).toString('utf8')
    // Uncompressed, the same file is past the limit: this is the case the compression is for.
    expect(Buffer.byteLength(csv)).toBeGreaterThan(LAMBDA_RESPONSE_LIMIT_BYTES)
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(10_001)

    const plain = await invokeBundle(bundles.publicApi, exportEvent({}), env)
    expect(plain.payloadBytes).toBeLessThan(LAMBDA_RESPONSE_LIMIT_BYTES)
    expect(plain.result.statusCode).toBe(406)
    expect(plain.result.headers['content-type']).toBe('application/problem+json')
    expect(JSON.parse(plain.result.body).detail).toMatch(/Accept-Encoding: gzip/)
  }, 180_000)

  it('import worker bundle runs a queued job from an SQS message, and lets an unreadable message go', async () => {
    const { client, tableName, store, env } = await tableWithEnvironment()
    const jobs = new DynamoImportJobStore(client, tableName, 7)
    const now = new Date()
    const jobId = '01jd3x9q4v6n7p8r9s0t1u2v3w'
    const file = [
      'externalId,name,kind,origin,country,url,deadline,features',
      'w-1,Worker call one,call,national,DK,https://example.org/1,2099-01-31,T1;P12',
      'w-2,Worker call two,call,national,SE,https://example.org/2,2099-02-28,G14',
    ].join('\r\n')
    await jobs.create(
      newImportJob({
        id: jobId,
        dryRun: false,
        layout: 'rows',
        mediaType: 'text/csv',
        total: 2,
        createdBy: 'admin@example.org',
        now,
      }),
      new TextEncoder().encode(file),
    )
    const sqsRecord = (messageId: string, body: string) => ({
      messageId,
      receiptHandle: 'handle',
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(now.getTime()),
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: String(now.getTime()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:imports',
      awsRegion: 'eu-west-1',
    })

    const run = await invokeBundle(
      bundles.importInstruments,
      { Records: [sqsRecord('m-1', JSON.stringify({ jobId })), sqsRecord('m-2', 'not json')] },
      env,
    )
    expect(run.result).toEqual({ batchItemFailures: [] })
    expect(await jobs.get(jobId)).toMatchObject({
      state: 'succeeded',
      processed: 2,
      summary: { created: 2, updated: 0, unchanged: 0, failed: 0 },
    })
    const { records } = await store.loadCatalogue()
    expect(records.map((record) => record.externalId).sort()).toEqual(['w-1', 'w-2'])
    expect(records[0]?.createdBy).toBe(`admin@example.org (import ${jobId})`)
  })

  it('expiry bundle archives what has expired and emits the metrics the alarm watches', async () => {
    const { store, env } = await tableWithEnvironment()
    const now = new Date()
    const expired = await store.create(
      instrumentInput({ name: 'Closed call', deadline: '2020-01-31' }),
      'tester',
      now,
    )
    const open = await store.create(
      instrumentInput({ name: 'Open call', deadline: '2099-01-31' }),
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
    expect(values).toMatchObject({ ExpiryFailures: 0, InstrumentsArchived: 1, ExpirySucceeded: 1 })

    const run2 = await invokeBundle(bundles.expireInstruments, {}, env)
    expect(run2.result).toMatchObject({ archived: 0, failed: 0 })
  })

  it('digest bundle sends a due digest over SMTP and emits the metrics the alarm watches', async () => {
    const { store, env, client, tableName } = await tableWithEnvironment()
    const mail = await startTestMailServer()
    try {
      const subscriptions = new DynamoSubscriptionStore(client, tableName)
      const email = 'bundle@example.org'
      const subject = { kind: 'search' as const, query: 'features=T13' }
      const id = subscriptionId(addressHash(email), subject)
      const nowSeconds = Math.floor(Date.now() / 1000)
      await subscriptions.savePending(
        {
          id,
          email,
          addressHash: addressHash(email),
          subject,
          frequency: 'daily',
          state: 'pending',
          consentAt: new Date().toISOString(),
          ttl: nowSeconds + 600,
        },
        'confirmation-hash',
      )
      await subscriptions.confirm(id, {
        confirmedAt: new Date().toISOString(),
        dueAt: Date.now() - 60_000,
        watermark: 0,
        known: [],
        nowSeconds,
      })
      await store.create(
        instrumentInput({ name: 'Sent by the bundle', features: ['T13'], deadline: '2099-01-31' }),
        'tester',
        new Date(),
      )
      const { result, logLines } = await invokeBundle(
        bundles.sendDigests,
        { frequency: 'daily' },
        {
          ...env,
          SMTP_URL: mail.url,
          PUBLIC_BASE_URL: 'https://fundfinder.example',
        },
      )
      expect(result).toMatchObject({ due: 1, sent: 1, failed: 0, complete: true })
      const [digest] = await mail.waitFor(1)
      expect(digest!.to).toEqual([email])
      expect(digest!.text).toContain('Sent by the bundle')
      expect(digest!.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click')
      const metrics = logLines.map((line) => JSON.parse(line)).filter((entry) => entry._aws)
      expect(metrics.length).toBeGreaterThan(0)
      for (const entry of metrics) {
        expect(entry._aws.CloudWatchMetrics[0].Namespace).toBe(DIGEST_METRICS.namespace)
        expect(entry.service).toBe(DIGEST_METRICS.service)
      }
      expect(Object.assign({}, ...metrics)).toMatchObject({ DigestsSent: 1, DigestFailures: 0 })
    } finally {
      await mail.close()
    }
  })

  it('feedback bundle suppresses a bounced address from an SNS event', async () => {
    const { env, client, tableName } = await tableWithEnvironment()
    const subscriptions = new DynamoSubscriptionStore(client, tableName)
    const hash = addressHash('bounced@example.org')
    const message = {
      eventType: 'Bounce',
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'bounced@example.org' }] },
      mail: { messageId: 'x' },
    }
    const event = {
      Records: [{ EventSource: 'aws:sns', Sns: { MessageId: 'm1', Message: JSON.stringify(message) } }],
    }
    const { result, logLines } = await invokeBundle(bundles.mailFeedback, event, env)
    expect(result).toEqual({ suppressed: 1, deleted: 0 })
    expect(await subscriptions.isSuppressed(hash)).toBe(true)
    const metrics = logLines.map((line) => JSON.parse(line)).filter((entry) => entry._aws)
    expect(metrics[0].service).toBe(FEEDBACK_METRICS.service)
  })

  it('publisher bundle publishes a snapshot from a stream event, and a cold API bundle loads it', async () => {
    const { store, env } = await tableWithEnvironment({ snapshots: true })
    const record = await store.create(
      instrumentInput({ name: 'Published through the bundle', deadline: '2099-01-01' }),
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
      bundles.publicApi,
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
