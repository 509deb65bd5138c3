/**
 * `npm run expire`: runs the expiry job once against the local table and prints what it did.
 * Uses DYNAMODB_ENDPOINT when set (a running `npm start` prints its endpoint); otherwise starts
 * DynamoDB Local on the `.local/dynamodb` data that `npm start` uses. Exits 1 if anything failed.
 */
import { loadLocalConfig } from '../shared/config'
import { createDocumentClient, ensureTable } from '../shared/dynamodb'
import { expireInstruments } from '../shared/expiry/expire-instruments'
import { DynamoInstrumentStore } from '../shared/instrument-repository'
import { createLogger } from '../shared/logger'
import { systemClock } from '../shared/time'
import { type DynamoDbLocal, startDynamoDbLocal } from './lib/dynamodb-local'

const base = loadLocalConfig()
let dynamodb: DynamoDbLocal | undefined
if (!base.dynamodbEndpoint) {
  console.log('Starting DynamoDB Local (data in .local/dynamodb)...')
  dynamodb = await startDynamoDbLocal({ dataDir: '.local/dynamodb' })
}
const config = loadLocalConfig({ DYNAMODB_ENDPOINT: base.dynamodbEndpoint ?? dynamodb?.endpoint })

try {
  const client = createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint })
  await ensureTable(client, config.tableName)
  const summary = await expireInstruments({
    store: new DynamoInstrumentStore(client, config.tableName, config.archiveRetentionDays),
    clock: systemClock,
    logger: createLogger(config.logLevel, { service: 'fundfinder-expiry' }),
  })
  console.log(
    [
      `Expiry run at ${summary.at} on table ${config.tableName}:`,
      `  scanned index entries  ${summary.scanned}`,
      `  archived               ${summary.archived}`,
      `  skipped                ${summary.skipped}`,
      `  failed                 ${summary.failed}`,
      `  duration               ${summary.durationMs} ms${summary.complete ? '' : ' (stopped early)'}`,
    ].join('\n'),
  )
  process.exitCode = summary.failed > 0 ? 1 : 0
} finally {
  await dynamodb?.stop()
}
