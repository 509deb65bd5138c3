/**
 * `npm run smoke -- --url <ApiUrl> [--token TOKEN]`: checks a deployed stack (or `npm start`) end to
 * end over HTTP: health, taxonomy, a search, a detail, the OpenAPI document, /docs, a 404 problem, a
 * refused anonymous write and, with an admin token, a create/update/delete round trip that removes
 * what it created. One line per check; exits 1 when any check failed, 2 on a usage error.
 */
import { parseArgs } from 'node:util'
import { runSmoke } from './lib/smoke'

const USAGE = 'Usage: npm run smoke -- --url <ApiUrl> [--token <admin bearer token>]'
const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (values.help) {
  console.log(USAGE)
  process.exit(0)
}
if (!values.url || !URL.canParse(values.url)) {
  console.error(USAGE)
  process.exit(2)
}

console.log(`Smoke test of ${values.url}${values.token ? ' (with the write round trip)' : ''}`)
const { ok, checks } = await runSmoke({
  url: values.url,
  token: values.token,
  onCheck: (check) =>
    console.log(
      `${check.ok ? 'ok  ' : 'FAIL'}  ${check.name.padEnd(36)} ${String(check.ms).padStart(5)} ms  ${check.detail}`,
    ),
})
const failed = checks.filter((check) => !check.ok).length
console.log(
  JSON.stringify({ url: values.url, checks: checks.length, passed: checks.length - failed, failed }),
)
process.exit(ok ? 0 : 1)
