/**
 * `npm run digest [-- --at <date-time>]`: sends the due email digests once and prints a JSON summary
 * `{ due, sent, empty, failed }` as its last line. `--at` runs as if at that instant (RFC 3339 with an
 * offset, e.g. 2026-11-23T07:00:00+01:00, not in the future), to catch up a missed period; a period
 * already sent is never sent again. Joins a running `npm start` (its DynamoDB Local and MailDev) like `npm run
 * expire`; SMTP_URL points mail elsewhere. Exits 1 if a digest could not be sent, 2 on a bad `--at` or
 * any other argument.
 */
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { sendDigests } from '../shared/subscriptions/digest/send-digests'
import { openLocalTable } from './lib/local-table'

const USAGE = 'Usage: npm run digest [-- --at <date-time>]'

function parseArguments() {
  try {
    return parseArgs({ options: { at: { type: 'string' } }, allowPositionals: false }).values
  } catch (error) {
    // An unknown option or a stray argument: a usage error, like a bad --at, not a crash.
    console.error(`${(error as Error).message}\n${USAGE}`)
    process.exit(2)
  }
}

const values = parseArguments()
const at = z.iso.datetime({ offset: true }).safeParse(values.at)
if (values.at !== undefined && !at.success) {
  console.error(
    `--at must be a date-time with an offset, such as 2026-11-23T07:00:00+01:00 (got "${values.at}").`,
  )
  process.exit(2)
}
// A run "as if" in the future would claim periods that have not begun, and skip their real digests.
if (at.success && at.data && Date.parse(at.data) > Date.now() + 60_000) {
  console.error(`--at must not be in the future (got ${at.data}): it catches up periods that were missed.`)
  process.exit(2)
}

const { config, deps, close } = await openLocalTable({ service: 'fundfinder-digest' })
if (config.mail.transport === 'none') {
  console.warn('No SMTP server to send with: start `npm start` (it runs MailDev) or set SMTP_URL.')
}
try {
  const run = await sendDigests(deps, at.success && at.data ? { at: new Date(at.data) } : {})
  console.log(
    [
      `Digest run as of ${run.at} on table ${config.tableName}:`,
      `  due     ${run.due}`,
      `  sent    ${run.sent}${run.ended > 0 ? ` (${run.ended} last note(s) of ended subscriptions)` : ''}`,
      `  empty   ${run.empty} (nothing to say: no email)`,
      `  failed  ${run.failed}`,
      config.mail.smtpUrl ? `  mail via ${config.mail.smtpUrl}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  )
  console.log(JSON.stringify({ due: run.due, sent: run.sent, empty: run.empty, failed: run.failed }))
  process.exitCode = run.failed > 0 ? 1 : 0
} finally {
  deps.mailer.close()
  await close()
}
