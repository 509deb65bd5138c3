import { readFile, rm, writeFile } from 'node:fs/promises'
import { DescribeTableCommand, ListTablesCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { createDeps, type Deps } from '../../shared/deps'
import { type Config, loadLocalConfig } from '../../shared/platform/config'
import { createDocumentClient, ensureTable } from '../../shared/platform/dynamodb'
import { createLogger } from '../../shared/platform/logger'
import { createS3Client } from '../../shared/platform/s3'
import { type DevIssuer, devIssuerDeps } from './dev-issuer'
import { startDynamoDbLocal } from './dynamodb-local'
import { runningLocalSmtpUrl } from './local-mail'
import { ensureBucket, startS3Local } from './s3-local'

const DATA_DIR = '.local/dynamodb'
const S3_DATA_DIR = '.local/s3'
/** The local server's snapshot bucket (SNAPSHOT_BUCKET overrides it). */
const LOCAL_SNAPSHOT_BUCKET = 'fundfinder-snapshots'
/** Where a running `npm start` says which port its DynamoDB Local listens on. */
const ENDPOINT_FILE = '.local/dynamodb-endpoint'

export interface LocalTable {
  config: Config
  client: DynamoDBDocumentClient
  /** The composition root's dependencies on this table, trusting the dev issuer when it is configured. */
  deps: Deps
  devIssuer: DevIssuer | undefined
  /** Whether the table had to be created. */
  table: 'created' | 'exists'
  /** Stops the DynamoDB Local this process started, if it started one. */
  close(): Promise<void>
}

async function reachable(endpoint: string): Promise<boolean> {
  try {
    const client = createDocumentClient({ region: 'eu-west-1', endpoint })
    await client.send(new ListTablesCommand({ Limit: 1 }))
    return true
  } catch {
    return false
  }
}

/**
 * The local table for `npm start`, `npm run expire` and `npm run import`: DYNAMODB_ENDPOINT when
 * set; else the DynamoDB Local of a running `npm start` (two processes must not open the same data
 * files); else a DynamoDB Local of its own on `.local/dynamodb`. `publish` makes this process the
 * one others join (the server does that).
 */
export async function openLocalTable(
  options: {
    publish?: boolean
    service?: string
    env?: Record<string, string>
    /** Serve the catalogue snapshot from S3_ENDPOINT, or from an s3rver of its own on `.local/s3`. */
    snapshots?: boolean
  } = {},
): Promise<LocalTable> {
  const base = loadLocalConfig()
  if (base.dynamodbTarget === 'aws') return openDeployedTable(options)
  let endpoint = base.dynamodbEndpoint
  if (!endpoint) {
    const running = await readFile(ENDPOINT_FILE, 'utf8').catch(() => '')
    if (running.trim() && (await reachable(running.trim()))) endpoint = running.trim()
  }
  let close = async () => {}
  if (!endpoint) {
    console.log(`Starting DynamoDB Local (data in ${DATA_DIR})...`)
    const dynamodb = await startDynamoDbLocal({ dataDir: DATA_DIR })
    endpoint = dynamodb.endpoint
    if (options.publish) await writeFile(ENDPOINT_FILE, endpoint)
    close = async () => {
      if (options.publish) await rm(ENDPOINT_FILE, { force: true })
      await dynamodb.stop()
    }
  }
  const s3: Record<string, string> = {}
  if (options.snapshots) {
    const bucket = base.snapshotBucket ?? LOCAL_SNAPSHOT_BUCKET
    let s3Endpoint = base.s3Endpoint
    if (!s3Endpoint) {
      const s3Local = await startS3Local({ dataDir: S3_DATA_DIR })
      s3Endpoint = s3Local.endpoint
      const closeTable = close
      close = async () => {
        await s3Local.stop()
        await closeTable()
      }
    }
    await ensureBucket(createS3Client({ region: base.region, endpoint: s3Endpoint }), bucket)
    Object.assign(s3, { SNAPSHOT_BUCKET: bucket, S3_ENDPOINT: s3Endpoint })
  }
  // Mail goes to SMTP_URL when set, else to the MailDev of a running `npm start`.
  const smtpUrl = base.mail.smtpUrl ?? options.env?.SMTP_URL ?? (await runningLocalSmtpUrl())
  const config = loadLocalConfig({
    DYNAMODB_ENDPOINT: endpoint,
    ...s3,
    ...(smtpUrl ? { SMTP_URL: smtpUrl } : {}),
    ...options.env,
  })
  const client = createDocumentClient({ region: config.region, endpoint })
  const table = await ensureTable(client, config.tableName)
  const devIssuer = config.auth.devIssuerKeyFile ? await devIssuerDeps(config) : undefined
  const deps = createDeps(config, {
    client,
    logger: createLogger(config.logLevel, options.service ?? 'fundfinder-local'),
    ...(devIssuer ? { verifier: devIssuer.verifier, devSignIn: devIssuer.devSignIn } : {}),
  })
  return { config, client, deps, devIssuer, table, close }
}

/**
 * `DYNAMODB_TARGET=aws`: the deployed table (TABLE_NAME, the stack's `TableName` output) in
 * AWS_REGION, with the shell's AWS credentials, for `npm run import` and `npm run expire`. The
 * table must exist (it is never created here), and the dev issuer is never trusted: nothing local
 * can mint a token against a deployed table. The local server refuses to run on one.
 */
async function openDeployedTable(options: { publish?: boolean; service?: string }): Promise<LocalTable> {
  if (options.publish) throw new Error('npm start runs on DynamoDB Local only; unset DYNAMODB_TARGET.')
  const config = loadLocalConfig({ DEV_ISSUER_KEY_FILE: undefined })
  if (config.dynamodbEndpoint) {
    throw new Error('DYNAMODB_TARGET=aws uses DynamoDB in AWS_REGION; unset DYNAMODB_ENDPOINT.')
  }
  const client = createDocumentClient({ region: config.region })
  try {
    await client.send(new DescribeTableCommand({ TableName: config.tableName }))
  } catch (error) {
    if (error instanceof ResourceNotFoundException) {
      throw new Error(
        `No table ${config.tableName} in ${config.region}: set TABLE_NAME to the stack's TableName output and AWS_REGION to its region.`,
      )
    }
    throw error
  }
  const deps = createDeps(config, {
    client,
    logger: createLogger(config.logLevel, options.service ?? 'fundfinder-cli'),
  })
  return { config, client, deps, devIssuer: undefined, table: 'exists', close: async () => client.destroy() }
}
