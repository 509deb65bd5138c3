/**
 * `npm run expire`: runs the expiry job once against the local table and prints what it did.
 * Uses DYNAMODB_ENDPOINT when set, else the DynamoDB Local of a running `npm start`, else starts
 * DynamoDB Local on the `.local/dynamodb` data that `npm start` uses. Exits 1 if anything failed.
 */
import { expireInstruments } from '../shared/catalogue/expiry/expire-instruments'
import { openLocalTable } from './lib/local-table'

const { config, deps, close } = await openLocalTable({ service: 'fundfinder-expiry' })
try {
  const summary = await expireInstruments(deps)
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
  await close()
}
