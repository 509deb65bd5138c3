/**
 * `npm start`: DynamoDB Local (data kept in .local/dynamodb), s3rver for the catalogue snapshot
 * (.local/s3), the table, the sample catalogue when the table is empty, and the API and web pages on
 * http://localhost:$PORT. Ctrl-C stops it all.
 */
import { serve } from '@hono/node-server'
import { createApp } from '../functions/api/app'
import { loadSampleCatalogue } from '../shared/catalogue/sample-catalogue'
import { startExpiryTimer } from './lib/expiry-timer'
import { openLocalTable } from './lib/local-table'
import { startSnapshotTimer } from './lib/snapshot-timer'

/** How often the local publisher looks for catalogue changes (the stream's batching window in AWS). */
const SNAPSHOT_INTERVAL_MS = 2_000

// The dev issuer is what makes this the local server: its tokens are accepted, its form signs them.
const local = await openLocalTable({ publish: true, snapshots: true })
const { config, table, deps, devIssuer } = local
if ((await deps.store.catalogueVersion()) === 0) {
  const { created } = await loadSampleCatalogue(deps.store, new Date())
  console.log(`Loaded the sample catalogue: ${created} instruments (verify them at their official source).`)
}

// Stand-in for the scheduled Lambda: expire what has closed now, then every EXPIRE_INTERVAL_SECONDS.
const expiry = startExpiryTimer({ ...deps, intervalSeconds: config.expireIntervalSeconds })
const firstExpiry = await expiry.runNow()
if (firstExpiry) console.log(`Expiry: archived ${firstExpiry.archived} closed instrument(s).`)

// Stand-in for the stream-triggered publisher: a snapshot now, then after every burst of changes.
const snapshotTimer = deps.snapshots
  ? startSnapshotTimer({ ...deps, snapshots: deps.snapshots, intervalMs: SNAPSHOT_INTERVAL_MS })
  : undefined
const firstSnapshot = await snapshotTimer?.runNow()
if (firstSnapshot?.published) {
  console.log(`Catalogue snapshot: version ${firstSnapshot.version}, ${firstSnapshot.records} instruments.`)
}

const app = createApp(deps)
if (devIssuer) {
  // Publish the dev issuer's keys where Cognito publishes its own, for tools that fetch them.
  app.get('/dev-issuer/.well-known/jwks.json', (c) => c.json(devIssuer.jwks))
}

const server = serve({ fetch: app.fetch, port: config.port }, (info) => {
  console.log(`fundfinder is running at http://localhost:${info.port}`)
  console.log(`  table ${config.tableName} (${table}) on ${config.dynamodbEndpoint}`)
  console.log(`  API docs:  http://localhost:${info.port}/docs`)
  console.log('  a token:   npm run --silent token -- --role admin')
})

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  console.log(`\n${signal}: stopping...`)
  server.close()
  await expiry.stop()
  await snapshotTimer?.stop()
  await local.close()
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
