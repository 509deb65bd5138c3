import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import { type EuFtStandin, startEuFtStandin } from '../../scripts/lib/eu-ft-standin'
import { DynamoInstrumentStore } from '../../shared/catalogue/store'
import { createDocumentClient, ensureTable } from '../../shared/platform/dynamodb'
import { portalResult } from './support'

/** `npm run sync` as a user runs it: a separate process on a table of DynamoDB Local. */
const run = promisify(execFile)
let scratch: string
let standin: EuFtStandin | undefined

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'fundfinder-sync-cli-'))
})
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})
afterEach(async () => {
  await standin?.stop()
  standin = undefined
})

async function freshTable() {
  const endpoint = inject('dynamodbEndpoint')
  const tableName = `t-${randomUUID()}`
  const client = createDocumentClient({ region: 'eu-west-1', endpoint })
  await ensureTable(client, tableName)
  return { endpoint, tableName, store: new DynamoInstrumentStore(client, tableName) }
}

async function syncCli(args: string[], env: Record<string, string>) {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/sync.ts', ...args], {
      env: {
        PATH: process.env.PATH,
        LOG_LEVEL: 'silent',
        DEV_ISSUER_KEY_FILE: path.join(scratch, 'dev-issuer-key.json'),
        EU_FT_PAGE_DELAY_MS: '0',
        ...env,
      },
      timeout: 60_000,
    })
    return { code: 0, stdout, stderr: '' }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

const lastLine = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) as string)

describe('npm run sync', () => {
  it('syncs from the portal (EU_FT_SEARCH_URL) and prints the JSON summary as its last line', async () => {
    const { endpoint, tableName, store } = await freshTable()
    standin = await startEuFtStandin({
      results: [
        portalResult({ identifier: ['HORIZON-CL3-2027-CLI-01'] }),
        portalResult({ identifier: ['HORIZON-CL3-2027-CLI-02'] }),
      ],
    })
    const result = await syncCli(['--source', 'eu-ft'], {
      DYNAMODB_ENDPOINT: endpoint,
      TABLE_NAME: tableName,
      EU_FT_SEARCH_URL: standin.url,
    })
    expect(result.code).toBe(0)
    expect(lastLine(result.stdout)).toMatchObject({
      source: 'eu-ft',
      fetched: 2,
      created: 2,
      updated: 0,
      unchanged: 0,
      withdrawn: 0,
      held: 0,
      failed: 0,
      complete: true,
    })
    expect(await store.findIdByExternalId('eu-ft:HORIZON-CL3-2027-CLI-02')).toBeDefined()
    expect(standin.requests[0]?.headers['user-agent']).toMatch(/^fundfinder-sync\//)
  }, 90_000)

  it('exits 1 when the source could not be read completely', async () => {
    const { endpoint, tableName } = await freshTable()
    standin = await startEuFtStandin({
      results: [portalResult()],
      faults: [{ fault: { status: 403 }, times: Number.POSITIVE_INFINITY }],
    })
    const result = await syncCli(['--source', 'eu-ft'], {
      DYNAMODB_ENDPOINT: endpoint,
      TABLE_NAME: tableName,
      EU_FT_SEARCH_URL: standin.url,
    })
    expect(result.code).toBe(1)
    expect(lastLine(result.stdout)).toMatchObject({
      complete: false,
      failed: 1,
      failures: [{ identifier: 'page 1', reason: 'HTTP 403' }],
    })
  }, 90_000)

  it('reads a file of recorded results with --from-file, and --dry-run writes nothing', async () => {
    const { endpoint, tableName, store } = await freshTable()
    const file = path.join(scratch, 'recorded.json')
    await writeFile(
      file,
      JSON.stringify({
        totalResults: 1,
        results: [portalResult({ identifier: ['HORIZON-CL3-2027-FILE-01'] })],
      }),
    )
    const result = await syncCli(['--source', 'eu-ft', '--from-file', file, '--dry-run'], {
      DYNAMODB_ENDPOINT: endpoint,
      TABLE_NAME: tableName,
    })
    expect(result.code).toBe(0)
    expect(lastLine(result.stdout)).toMatchObject({ fetched: 1, created: 1, dryRun: true, complete: true })
    expect(result.stdout).toMatch(/note +withdrawal: a recording .* nothing was withdrawn/)
    expect(await store.catalogueVersion()).toBe(0)
  }, 90_000)

  it('exits 2 on a usage or file error', async () => {
    const { endpoint, tableName } = await freshTable()
    expect((await syncCli(['--source', 'elsewhere'], {})).code).toBe(2)
    const missing = await syncCli(['--source', 'eu-ft', '--from-file', path.join(scratch, 'nothing.json')], {
      DYNAMODB_ENDPOINT: endpoint,
      TABLE_NAME: tableName,
    })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/Cannot read .*nothing\.json/)
  }, 90_000)
})
