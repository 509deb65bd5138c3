/**
 * `npm start`: DynamoDB Local (data kept in .local/dynamodb), s3rver for the catalogue snapshot
 * (.local/s3), the table, the sample catalogue and the recorded EU calls when the table is empty,
 * MailDev for outgoing mail (unless SMTP_URL is set), and the API and web pages on
 * http://localhost:$PORT. Ctrl-C stops it all. The server never syncs on its own (no internet
 * assumed): `npm run sync` does, once.
 */
import { serve } from '@hono/node-server'
import { createApp } from '../functions/api/app'
import { loadSampleCatalogue } from '../shared/catalogue/sample-catalogue'
import { loadLocalConfig } from '../shared/platform/config'
import { startExpiryTimer } from './lib/expiry-timer'
import { startMailDev } from './lib/local-mail'
import { openLocalTable } from './lib/local-table'
import { startSnapshotTimer } from './lib/snapshot-timer'
import { RECORDED_EU_FT_TOPICS, syncSource } from './lib/sync-source'

/** How often the local publisher looks for catalogue changes (the stream's batching window in AWS). */
const SNAPSHOT_INTERVAL_MS = 2_000

// Confirmation emails and digests land in MailDev's web inbox, unless mail is configured elsewhere.
const mailDev =
  loadLocalConfig().mail.transport === 'none' ? await startMailDev({ publish: true }) : undefined
// The dev issuer is what makes this the local server: its tokens are accepted, its form signs them.
const local = await openLocalTable({
  publish: true,
  snapshots: true,
  ...(mailDev ? { env: { SMTP_URL: mailDev.smtpUrl } } : {}),
})
const { config, table, deps, devIssuer } = local
if ((await deps.store.catalogueVersion()) === 0) {
  const { created } = await loadSampleCatalogue(deps.store, new Date())
  console.log(`Loaded the sample catalogue: ${created} instruments (verify them at their official source).`)
  // Real EU calls as recorded in 2026, through the same path as `npm run sync -- --from-file`, as
  // they were when recorded: those closed since are archived by the first expiry run below. A
  // recording withdraws nothing, which costs nothing here: the table had no synced call before.
  const recorded = await syncSource(deps, {
    source: 'eu-ft',
    fromFile: RECORDED_EU_FT_TOPICS,
    asRecorded: true,
  })
  console.log(
    `Loaded ${recorded.created} real EU Funding & Tenders calls recorded in 2026 (${recorded.held} held for review).`,
  )
}

// Stand-in for the scheduled Lambda: expire what has closed now, then every EXPIRE_INTERVAL_SECONDS.
// The first run goes on while the server starts: public endpoints hide expired calls meanwhile.
const expiry = startExpiryTimer({ ...deps, intervalSeconds: config.expireIntervalSeconds })
void expiry.runNow().then((firstExpiry) => {
  if (firstExpiry) console.log(`Expiry: archived ${firstExpiry.archived} closed instrument(s).`)
})

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
  console.log(
    mailDev
      ? `  mail:      read it at ${mailDev.inboxUrl} (MailDev; SMTP ${mailDev.smtpUrl})`
      : `  mail:      ${config.mail.transport === 'ses' ? 'Amazon SES' : `SMTP ${config.mail.smtpUrl}`}`,
  )
  console.log('  digests:   npm run digest   (sends what is due; -- --at <date-time> to catch up)')
})

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  console.log(`\n${signal}: stopping...`)
  server.close()
  await expiry.stop()
  local.deps.mailer.close()
  await snapshotTimer?.stop()
  await local.close()
  await mailDev?.stop()
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
