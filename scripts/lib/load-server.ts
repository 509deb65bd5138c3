/**
 * The server under load for `npm run load`: the real app on @hono/node-server, configured from the
 * environment, reporting its memory on stdout (one JSON line per second) for the parent to record.
 */
import { serve } from '@hono/node-server'
import { createApp } from '../../functions/api/app'
import { createDeps } from '../../shared/deps'
import { loadConfig } from '../../shared/platform/config'
import { devIssuerDeps } from './dev-issuer'

const config = loadConfig()
// The load test signs its admin's token with the dev issuer, as `npm start` trusts it.
const { verifier } = await devIssuerDeps(config)
const app = createApp(createDeps(config, { verifier }))
const report = (afterGc = false) => {
  const { rss, heapUsed } = process.memoryUsage()
  process.stdout.write(`${JSON.stringify({ memory: { rss, heapUsed, at: Date.now(), afterGc } })}\n`)
}
// SIGUSR2 (with --expose-gc): collect garbage, then report the live heap. The parent asks at the
// start and the end of the run, so the comparison is between live sets, not GC timing.
const collectGarbage = (globalThis as { gc?: () => void }).gc
process.on('SIGUSR2', () => {
  collectGarbage?.()
  report(true)
})
serve({ fetch: app.fetch, port: config.port, hostname: '127.0.0.1' }, () => {
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`)
  report()
  setInterval(() => report(), 1000).unref()
})
process.on('SIGTERM', () => process.exit(0))
