/**
 * `npm run sync -- --source eu-ft [--dry-run] [--from-file FILE [--as-recorded]]`
 *
 * Runs one sync of the EU Funding & Tenders Portal into the local table (the DynamoDB Local of a
 * running `npm start`, like `npm run expire`) and prints what it did, the JSON summary as the last
 * line. The portal is read at EU_FT_SEARCH_URL (the real one by default; a stand-in for tests);
 * `--from-file` reads recorded results instead (the portal's answer, an array of results, or
 * shared/catalogue/sources/eu-ft/data/recorded-topics-2026.json). `--dry-run` writes nothing.
 * Calls whose deadline has passed are not created, unless `--as-recorded`: then a call that was
 * open when it was recorded is created and the expiry job archives it (npm start's first load).
 * A recorded file is a snapshot of the past, not a read of the portal now: it creates and updates
 * calls but never withdraws one it does not list (that call may be newer than the recording).
 * Exits 1 when the source could not be read completely (nothing was withdrawn), 2 on a usage or
 * file error.
 */
import { parseArgs } from 'node:util'
import { RecordedFileError } from '../shared/catalogue/sources/eu-ft/read-eu-ft'
import { openLocalTable } from './lib/local-table'
import { SyncFileError, syncSource } from './lib/sync-source'

const USAGE = 'Usage: npm run sync -- --source eu-ft [--dry-run] [--from-file FILE [--as-recorded]]'
const HELP = `${USAGE}

  --source eu-ft    the EU Funding & Tenders Portal, read at EU_FT_SEARCH_URL
  --dry-run         say what the sync would do, write nothing
  --from-file FILE  sync recorded results instead of reading the portal. A recording is a snapshot
                    of the past: it creates and updates calls, and withdraws none (only a complete
                    read of the portal now withdraws the calls it no longer lists)
  --as-recorded     with --from-file: create the calls that were open when recorded, even if
                    closed now (the expiry job then archives them)`

const { values } = parseArgs({
  options: {
    source: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    'from-file': { type: 'string' },
    'as-recorded': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
})
if (values.help) {
  console.log(HELP)
  process.exit(0)
}
if (values['as-recorded'] && !values['from-file']) {
  console.error(`--as-recorded replays a recording: it needs --from-file.\n${USAGE}`)
  process.exit(2)
}
if (values.source !== 'eu-ft') {
  console.error(
    values.source ? `Unknown source '${values.source}': the one source is eu-ft.\n${USAGE}` : USAGE,
  )
  process.exit(2)
}

const { config, deps, close } = await openLocalTable({ service: 'fundfinder-sync' })
try {
  const from = values['from-file'] ?? config.euFt.searchUrl
  console.log(
    `Syncing eu-ft from ${from} into table ${config.tableName}${values['dry-run'] ? ' (dry run)' : ''}...`,
  )
  const summary = await syncSource(deps, {
    source: 'eu-ft',
    fromFile: values['from-file'],
    dryRun: values['dry-run'],
    asRecorded: values['as-recorded'],
  })
  for (const failure of summary.failures) console.log(`  failed   ${failure.identifier}: ${failure.reason}`)
  for (const warning of summary.warnings) console.log(`  note     ${warning.identifier}: ${warning.warning}`)
  if (!summary.complete) console.log('  The read was incomplete: nothing was withdrawn.')
  console.log(JSON.stringify(summary))
  process.exitCode = summary.complete ? 0 : 1
} catch (error) {
  if (error instanceof SyncFileError || error instanceof RecordedFileError) {
    console.error(error.message)
    process.exitCode = 2
  } else throw error
} finally {
  await close()
}
