/**
 * `npm run import -- FILE [--dry-run] [--atomic] [--async] [--api URL --token TOKEN] [--actor NAME]`
 *
 * Imports a spreadsheet (CSV, row or D2.5 matrix layout) or a JSON array of instruments and prints
 * progress and the report. Without `--api` it writes to the local table directly (DYNAMODB_ENDPOINT
 * when set, else the DynamoDB Local of a running `npm start`, else DynamoDB Local on the
 * `.local/dynamodb` data that `npm start` uses). With `--api` it POSTs the file to a deployed (or local) API's
 * `/v1/admin/imports` with an admin bearer token: synchronously up to the API's bound
 * (SYNC_IMPORT_MAX_ROWS), and past it (or with `--async`) as an asynchronous job
 * (`Prefer: respond-async`) whose progress it polls until the job ends. Exits 1 if any record
 * failed or the job failed, 2 on a usage or file error.
 */
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { ImportFileError, parseInstrumentCsv } from '../shared/catalogue/csv/instrument-csv'
import {
  describePosition,
  type ImportProgress,
  ImportRejected,
  type ImportReport,
  ImportRolledBack,
  importInstruments,
  parseInstrumentJson,
} from '../shared/catalogue/imports/import-instruments'
import type { ImportJobView } from '../shared/catalogue/imports/import-jobs'
import { loadLocalConfig } from '../shared/platform/config'
import { systemClock } from '../shared/platform/time'
import { openLocalTable } from './lib/local-table'

const USAGE =
  'Usage: npm run import -- FILE.csv|FILE.json [--dry-run] [--atomic] [--async] [--api URL --token TOKEN]'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'dry-run': { type: 'boolean', default: false },
    atomic: { type: 'boolean', default: false },
    async: { type: 'boolean', default: false },
    api: { type: 'string' },
    token: { type: 'string' },
    actor: { type: 'string', default: 'cli:import' },
    help: { type: 'boolean', short: 'h', default: false },
  },
})

function fail(message: string, code = 2): never {
  console.error(message)
  process.exit(code)
}

if (values.help) {
  console.log(USAGE)
  process.exit(0)
}
const file = positionals[0]
if (!file || positionals.length > 1) fail(USAGE)
if (values.api && !values.token) fail('--api needs --token (an admin bearer token).')
if (values.async && values.atomic) fail('--atomic imports run synchronously: leave out --async.')
const isJson = extname(file).toLowerCase() === '.json'
const bytes = await readFile(file).catch((error: Error) => fail(`Cannot read ${file}: ${error.message}`))
const mode = [values['dry-run'] ? 'dry run' : '', values.atomic ? 'atomic' : ''].filter(Boolean).join(', ')

function printReport(report: ImportReport): void {
  const failures = report.records.filter((record) => record.outcome === 'failed')
  for (const failure of failures) {
    const label = [describePosition(failure), failure.externalId ?? failure.name].filter(Boolean).join(' ')
    for (const error of failure.errors ?? []) {
      console.log(`  ${label}: ${error.path ? `${error.path}: ` : ''}${error.message}`)
    }
  }
  console.log(
    [
      `${report.dryRun ? 'Dry run (nothing written)' : 'Imported'}: ${report.total} records (${report.layout} layout)`,
      `  created    ${report.created}`,
      `  updated    ${report.updated}`,
      `  unchanged  ${report.unchanged}`,
      `  failed     ${report.failed}`,
      `  catalogue version ${report.catalogueVersion}`,
    ].join('\n'),
  )
  process.exitCode = report.failed > 0 ? 1 : 0
}

type Problem = { title?: string; detail?: string; errors?: { path: string; message: string }[] }

function printProblem(status: number, body: Problem | undefined, fallback: string): void {
  console.error(`HTTP ${status} ${body?.title ?? 'Error'}: ${body?.detail ?? fallback}`)
  for (const error of body?.errors ?? []) console.error(`  ${error.path}: ${error.message}`)
  process.exitCode = 1
}

function printJob(job: ImportJobView): void {
  for (const failure of job.failures) {
    const label = [describePosition(failure), failure.externalId ?? failure.name].filter(Boolean).join(' ')
    for (const error of failure.errors ?? []) {
      console.log(`  ${label}: ${error.path ? `${error.path}: ` : ''}${error.message}`)
    }
  }
  const { created, updated, unchanged, failed } = job.summary
  console.log(
    [
      `Import ${job.id} ${job.state}${job.dryRun ? ' (dry run, nothing written)' : ''}: ${job.processed} of ${job.total} records (${job.layout} layout, ${job.attempts} run${job.attempts === 1 ? '' : 's'})`,
      `  created    ${created}`,
      `  updated    ${updated}`,
      `  unchanged  ${unchanged}`,
      `  failed     ${failed}`,
      ...(job.catalogueVersion === undefined ? [] : [`  catalogue version ${job.catalogueVersion}`]),
    ].join('\n'),
  )
  if (job.problem) console.error(`${job.problem.title}: ${job.problem.detail}`)
  process.exitCode = job.state === 'failed' || failed > 0 ? 1 : 0
}

/** The synchronous bound a deployed API is known to have by default (it answers 413 past its own). */
const syncBound = loadLocalConfig().imports.syncMaxRows

async function viaApi(api: string, token: string): Promise<void> {
  const url = new URL('/v1/admin/imports', api)
  if (values['dry-run']) url.searchParams.set('dryRun', 'true')
  if (values.atomic) url.searchParams.set('atomic', 'true')
  const records = parse().records.length
  const post = (async: boolean) =>
    fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': isJson ? 'application/json' : 'text/csv',
        ...(async ? { prefer: 'respond-async' } : {}),
      },
      body: bytes,
    })
  const inBackground = !values.atomic && (values.async || (!values['dry-run'] && records > syncBound))
  console.log(
    `Uploading ${file} (${records} records, ${bytes.length} bytes) to ${url}${mode ? ` (${mode})` : ''}${inBackground ? ', to import in the background' : ''}...`,
  )
  const started = performance.now()
  let response = await post(inBackground)
  let body = (await response.json().catch(() => undefined)) as
    | (ImportReport & ImportJobView & Problem)
    | undefined
  // This API's bound is lower than the default: send the file again, as a job.
  if (
    !inBackground &&
    !values.atomic &&
    response.status === 413 &&
    /respond-async/.test(body?.detail ?? '')
  ) {
    console.log(`${body?.detail}\nSending it again as a background import...`)
    response = await post(true)
    body = (await response.json().catch(() => undefined)) as typeof body
  }
  if (response.status !== 202) {
    console.log(`HTTP ${response.status} after ${Math.round(performance.now() - started)} ms`)
    if (response.ok && body) return printReport(body)
    return printProblem(response.status, body, response.statusText)
  }

  const location = new URL(response.headers.get('location') ?? '', api)
  console.log(`Queued as ${location}`)
  let lastLine = ''
  for (;;) {
    const poll = await fetch(location, { headers: { authorization: `Bearer ${token}` } })
    const job = (await poll.json().catch(() => undefined)) as (ImportJobView & Problem) | undefined
    if (!poll.ok || !job) return printProblem(poll.status, job, poll.statusText)
    const line = `  ${job.state} ${job.processed}/${job.total}`
    if (line !== lastLine) console.log(`${line}  (${Math.round(performance.now() - started)} ms)`)
    lastLine = line
    if (job.state === 'succeeded' || job.state === 'failed') return printJob(job)
    await sleep(Number(poll.headers.get('retry-after') ?? '2') * 1000)
  }
}

function parse() {
  return isJson
    ? { layout: 'json' as const, records: parseInstrumentJson(JSON.parse(bytes.toString('utf8'))) }
    : parseInstrumentCsv(new Uint8Array(bytes))
}

async function local(): Promise<void> {
  const { config, deps, close } = await openLocalTable({ service: 'fundfinder-import' })
  try {
    const { store } = deps
    const parsed = parse()
    console.log(
      `Importing ${parsed.records.length} records from ${file} into table ${config.tableName}${mode ? ` (${mode})` : ''}`,
    )
    const started = performance.now()
    let lastLine = ''
    const onProgress = ({ phase, done, total }: ImportProgress) => {
      const line = `  ${phase} ${done}/${total}`
      if (line !== lastLine) console.log(`${line}  (${Math.round(performance.now() - started)} ms)`)
      lastLine = line
    }
    try {
      printReport(
        await importInstruments(store, parsed, {
          dryRun: values['dry-run'],
          atomic: values.atomic,
          actor: values.actor,
          now: systemClock.now(),
          onProgress,
        }),
      )
    } catch (error) {
      if (!(error instanceof ImportRejected || error instanceof ImportRolledBack)) throw error
      printReport(error.report)
      console.error(error.message)
      process.exitCode = 1
    }
  } finally {
    await close()
  }
}

try {
  if (values.api) await viaApi(values.api, values.token as string)
  else await local()
} catch (error) {
  if (error instanceof ImportFileError) {
    console.error(error.message)
    for (const fieldError of error.errors) console.error(`  ${fieldError.path}: ${fieldError.message}`)
    process.exitCode = 2
  } else if (error instanceof SyntaxError) {
    fail(`${file} is not valid JSON: ${error.message}`)
  } else throw error
}
