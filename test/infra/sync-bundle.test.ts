import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { SYNC_METRICS } from '../../functions/sync-instruments/metrics'
import { BUNDLE_ENTRY_FILE, bundleEntry, ENTRIES } from '../../infra/bundling'
import { type EuFtStandin, startEuFtStandin } from '../../scripts/lib/eu-ft-standin'
import { DynamoInstrumentStore } from '../../shared/catalogue/store'
import { createDocumentClient, ensureTable } from '../../shared/platform/dynamodb'
import { portalResult } from '../sync/support'

/**
 * The sync function's bundle, built with the options the CDK construct uses (infra/bundling.ts),
 * run in a fresh Node process as Lambda would, against the portal stand-in and DynamoDB Local.
 */
const run = promisify(execFile)
const RESULT_MARKER = '@@handler-result@@'
const RUNNER = `
const { handler } = await import(process.env.BUNDLE_URL)
const context = { awsRequestId: 'test-request', functionName: 'test', getRemainingTimeInMillis: () => 900000 }
let result
try { result = await handler({}, context) } catch (error) { result = { thrown: error.message } }
process.stdout.write('\\n${RESULT_MARKER}' + JSON.stringify(result) + '\\n')
`

let outdir: string
let bundle: string
let inputs: string[]
let standin: EuFtStandin

beforeAll(async () => {
  outdir = await mkdtemp(path.join(tmpdir(), 'fundfinder-sync-bundle-'))
  bundle = path.join(outdir, BUNDLE_ENTRY_FILE)
  const metafile = bundleEntry(ENTRIES.syncInstruments, outdir)
  inputs = Object.keys(metafile.inputs)
  standin = await startEuFtStandin()
}, 120_000)

afterAll(async () => {
  await standin?.stop()
  await rm(outdir, { recursive: true, force: true })
})

async function invoke(env: Record<string, string>) {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '--enable-source-maps', '-e', RUNNER],
    {
      cwd: outdir,
      env: { PATH: process.env.PATH, BUNDLE_URL: pathToFileURL(bundle).href, ...env },
      timeout: 60_000,
      maxBuffer: 10 * 1024 * 1024,
    },
  )
  const [logs, result] = stdout.split(RESULT_MARKER) as [string, string]
  return { result: JSON.parse(result), logLines: logs.split('\n').filter((line) => line.startsWith('{')) }
}

describe('the sync bundle', () => {
  it('is one ESM file without local tooling or the recorded topics', async () => {
    expect((await stat(bundle)).size).toBeLessThan(5_000_000)
    expect(inputs.filter((input) => /^(scripts|bench|test)\//.test(input))).toEqual([])
    expect(inputs.filter((input) => input.includes('recorded-topics'))).toEqual([])
    expect(inputs).toContain('shared/catalogue/sources/eu-ft/portal-client.ts')
  })

  it('syncs from the portal into the table and emits the heartbeat the alarm watches', async () => {
    const endpoint = inject('dynamodbEndpoint')
    const tableName = `t-${randomUUID()}`
    const client = createDocumentClient({ region: 'eu-west-1', endpoint })
    await ensureTable(client, tableName)
    standin.setResults([
      portalResult({
        identifier: ['HORIZON-CL3-2099-BUNDLE-01'],
        deadlineDate: ['2099-04-15T17:00:00.000+0200'],
      }),
    ])
    const env = {
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: endpoint,
      AWS_REGION: 'eu-west-1',
      AUTH_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
      AUTH_AUDIENCE: 'example-client-id',
      LOG_LEVEL: 'silent',
      EU_FT_SEARCH_URL: standin.url,
      EU_FT_PAGE_DELAY_MS: '0',
      SYNC_CONTACT_URL: 'https://fundfinder.example',
    }
    const first = await invoke(env)
    expect(first.result).toMatchObject({ source: 'eu-ft', created: 1, complete: true })
    const store = new DynamoInstrumentStore(client, tableName)
    expect(await store.findIdByExternalId('eu-ft:HORIZON-CL3-2099-BUNDLE-01')).toBeDefined()
    expect(standin.requests.at(-1)?.headers['user-agent']).toBe(
      'fundfinder-sync/1 (open-source funding catalogue; +https://fundfinder.example)',
    )
    const metrics = first.logLines.map((line) => JSON.parse(line)).filter((entry) => entry._aws)
    expect(metrics.length).toBeGreaterThan(0)
    for (const entry of metrics) {
      expect(entry._aws.CloudWatchMetrics[0].Namespace).toBe(SYNC_METRICS.namespace)
      expect(entry.service).toBe(SYNC_METRICS.service)
    }
    expect(Object.assign({}, ...metrics)).toMatchObject({ SyncSucceeded: 1, InstrumentsSynced: 1 })

    const second = await invoke(env)
    expect(second.result).toMatchObject({ created: 0, unchanged: 1 })
  })
})
