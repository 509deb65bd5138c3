import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { ListTablesCommand } from '@aws-sdk/client-dynamodb'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { DynamoInstrumentStore } from '../../shared/catalogue/store'
import { createDocumentClient, ensureTable } from '../../shared/platform/dynamodb'
import { instrumentBody } from '../support/factories'

/**
 * `DYNAMODB_TARGET=aws npm run import` seeds a deployed table with the shell's AWS credentials. AWS
 * is played by DynamoDB Local through the SDK's own endpoint setting (AWS_ENDPOINT_URL_DYNAMODB):
 * the script takes the AWS path (no DynamoDB Local of its own, no table creation, no dev issuer).
 */
const run = promisify(execFile)
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'fundfinder-import-aws-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function importAsOperator(file: string, tableName: string) {
  const endpoint = inject('dynamodbEndpoint')
  const { DYNAMODB_ENDPOINT: _local, ...inherited } = process.env
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/import.ts', file], {
      timeout: 60_000,
      env: {
        ...inherited,
        DYNAMODB_TARGET: 'aws',
        TABLE_NAME: tableName,
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL_DYNAMODB: endpoint,
        // DynamoDB Local keeps one database per access key: the one the test's client uses.
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        LOG_LEVEL: 'silent',
      },
    })
    return { code: 0, stdout, stderr: '' }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('npm run import against a deployed table (DYNAMODB_TARGET=aws)', () => {
  it('imports into the named table, and never creates one', async () => {
    const client = createDocumentClient({ region: 'eu-west-1', endpoint: inject('dynamodbEndpoint') })
    const tableName = `deployed-${randomUUID()}`
    await ensureTable(client, tableName)
    const file = path.join(dir, 'catalogue.json')
    await writeFile(
      file,
      JSON.stringify([instrumentBody({ name: 'Seeded one' }), instrumentBody({ name: 'Seeded two' })]),
    )

    const imported = await importAsOperator(file, tableName)
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.stdout).toContain(`into table ${tableName}`)
    expect(imported.stdout).not.toMatch(/Starting DynamoDB Local/)
    const { records } = await new DynamoInstrumentStore(client, tableName).loadCatalogue()
    expect(records.map((record) => record.name).sort()).toEqual(['Seeded one', 'Seeded two'])

    const missing = `not-deployed-${randomUUID()}`
    const refused = await importAsOperator(file, missing)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/No table not-deployed-.* in eu-west-1/)
    const tables = await client.send(new ListTablesCommand({ ExclusiveStartTableName: missing.slice(0, -1) }))
    expect(tables.TableNames ?? []).not.toContain(missing)
  }, 90_000)
})
