/**
 * `npm run demo:portfolio -- --org DEMO [--url http://localhost:3000] [--dry-run]`: loads the seed's
 * Annex 2 (Open Call 1, 21 projects; `test/fixtures/annex-2-open-call-1.csv`) as the portfolio of an
 * organisation on a running `npm start`, through the public import endpoint with a dev-issuer token.
 * Importing again changes nothing (projects are matched by name). Then sign in with
 * `npm run --silent token -- --role editor --org DEMO` and open /admin/portfolio or
 * GET /v1/projects/matrix.
 */
import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { loadLocalConfig } from '../shared/platform/config'
import { signDevToken } from './lib/dev-issuer'

const { values } = parseArgs({
  options: {
    org: { type: 'string', default: 'DEMO' },
    url: { type: 'string' },
    file: { type: 'string', default: 'test/fixtures/annex-2-open-call-1.csv' },
    'dry-run': { type: 'boolean', default: false },
  },
})
const config = loadLocalConfig()
if (!config.auth.devIssuerKeyFile) {
  console.error('DEV_ISSUER_KEY_FILE is empty: the dev issuer is disabled, so no local token can be signed.')
  process.exit(2)
}
const org = values.org.trim()
if (!org || org.length > 100) {
  console.error('usage: npm run demo:portfolio -- --org ORG [--url URL] [--file CSV] [--dry-run]')
  process.exit(2)
}
const base = (values.url ?? `http://localhost:${config.port}`).replace(/\/$/, '')
const token = await signDevToken({
  keyFile: config.auth.devIssuerKeyFile,
  issuer: config.auth.issuer,
  audience: config.auth.audience,
  subject: 'demo-loader',
  roles: ['editor'],
  org,
  ttlSeconds: 300,
})
const csv = await readFile(values.file, 'utf8')
let response: Response
try {
  response = await fetch(`${base}/v1/projects/imports?dryRun=${values['dry-run']}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: csv,
  })
} catch {
  console.error(`Cannot reach ${base}: start the server first (npm start).`)
  process.exit(1)
}
const result = (await response.json()) as Record<string, unknown>
if (!response.ok) {
  console.error(`Import refused (${response.status}):`, JSON.stringify(result, null, 2))
  process.exit(1)
}
console.log(
  `${values['dry-run'] ? 'Dry run for' : 'Loaded into'} organisation ${org}: ${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged.`,
)
for (const warning of (result.warnings as { path: string; message: string }[]) ?? []) {
  console.log(`  warning: ${warning.path}: ${warning.message}`)
}
console.log(
  `See it: npm run --silent token -- --role editor --org ${org}, then GET ${base}/v1/projects/matrix`,
)
