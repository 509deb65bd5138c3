/**
 * `npm run bench:bundle` (also part of `npm run bench`): what a cold start pays to load the bundle of
 * the public API function (the one every cold search meets), against a bare Hono + DynamoDB
 * DocumentClient bundle built the same way (infra/bundling.ts `bundleEntry`: an entry module plus
 * chunks), and against the bare bundle plus what every API function must load (./required-api.ts:
 * the configuration parsed with zod, Powertools Logger and Tracer). Each sample is a fresh Node process that imports the entry module, as Lambda starts a
 * function, so what a cold start loads (the entry and the chunks it imports statically, not those
 * loaded on demand) is what is measured; the medians and their ratio are printed.
 *
 * Two numbers per bundle: the whole process (spawn to exit, what a Lambda cold start adds to the
 * runtime's own start), and the `import()` alone, timed inside the process.
 *
 * Environment: BENCH_IMPORT_RUNS (default 21, alternating between the bundles so that load on the
 * machine affects both alike); BENCH_NODE, the Node binary that imports the bundles (default: this
 * one), so that the runtime Lambda runs (Node 24) can be measured from a machine whose Node differs.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import type { Metafile } from 'esbuild'
import { z } from 'zod'
import { BUNDLE_ENTRY_FILE, bundleEntry, ENTRIES, loadedAtStart } from '../infra/bundling'

const env = z
  .object({
    BENCH_IMPORT_RUNS: z.coerce.number().int().min(3).max(500).default(21),
    BENCH_NODE: z.string().min(1).default(process.execPath),
  })
  .parse(process.env)
const run = promisify(execFile)

/**
 * What the runtime does on a cold start, less the first event: import the handler module. Prints
 * the import's wall time and the whole process's CPU time (user + system, Node's own start
 * included), which a busy machine disturbs far less than wall time.
 */
const IMPORTER = `
const started = performance.now()
await import(process.env.BUNDLE_URL)
const importMs = performance.now() - started
const { userCPUTime, systemCPUTime } = process.resourceUsage()
process.stdout.write(JSON.stringify({ importMs, cpuMs: (userCPUTime + systemCPUTime) / 1000 }))
`

/** Environment of a deployed function, so that the bundle's configuration parses as in AWS. */
const FUNCTION_ENV = {
  AWS_REGION: 'eu-west-1',
  TABLE_NAME: 'fundfinder-bench',
  AUTH_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
  AUTH_AUDIENCE: 'example-client-id',
  LOG_LEVEL: 'silent',
  API_SURFACE: 'public',
}

interface Bundle {
  name: string
  /** The entry, relative to the project root. */
  entry: string
  /** The entry module, what Lambda imports. */
  file: string
  /** JavaScript a cold start loads: the entry module and the chunks it imports statically. */
  startBytes: number
  /** Every chunk, including those loaded on demand. */
  totalBytes: number
  metafile: Metafile
}

function bundle(outdir: string, name: string, entry: string): Bundle {
  const dir = path.join(outdir, name)
  const metafile = bundleEntry(entry, dir)
  const sum = (outputs: Metafile['outputs'][string][]) =>
    outputs.reduce((total, { bytes }) => total + bytes, 0)
  const modules = Object.entries(metafile.outputs).flatMap(([file, output]) =>
    file.endsWith('.mjs') ? [output] : [],
  )
  return {
    name,
    entry,
    file: path.join(dir, BUNDLE_ENTRY_FILE),
    startBytes: sum(loadedAtStart(metafile, entry)),
    totalBytes: sum(modules),
    metafile,
  }
}

interface Sample {
  processMs: number
  cpuMs: number
  importMs: number
}

async function sample(bundleFile: string): Promise<Sample> {
  const started = performance.now()
  // Source maps on, as FundfinderFunction sets NODE_OPTIONS for every deployed function.
  const { stdout } = await run(
    env.BENCH_NODE,
    ['--enable-source-maps', '--input-type=module', '-e', IMPORTER],
    {
      cwd: path.dirname(bundleFile),
      env: { PATH: process.env.PATH, BUNDLE_URL: pathToFileURL(bundleFile).href, ...FUNCTION_ENV },
    },
  )
  const processMs = performance.now() - started
  return { processMs, ...(JSON.parse(stdout) as { cpuMs: number; importMs: number }) }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** The largest contributors to what a cold start loads, by package (or our own top folder). */
function largestInputs({ metafile, entry }: Bundle, top = 8): string {
  const byOwner = new Map<string, number>()
  const loaded = loadedAtStart(metafile, entry).flatMap((output) => Object.entries(output.inputs))
  for (const [input, { bytesInOutput }] of loaded) {
    const owner = /node_modules\/((?:@[^/]+\/)?[^/]+)(?:\/(locales|v4\/locales))?/.exec(input)
    const key = owner ? `${owner[1]}${owner[2] ? '/locales' : ''}` : input.split('/').slice(0, 2).join('/')
    byOwner.set(key, (byOwner.get(key) ?? 0) + bytesInOutput)
  }
  return [...byOwner]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([owner, bytes]) => `${owner} ${Math.round(bytes / 1024)} KiB`)
    .join(', ')
}

const round = (value: number) => Math.round(value * 10) / 10

const nodeVersion = (await run(env.BENCH_NODE, ['--version'])).stdout.trim()
const outdir = await mkdtemp(path.join(tmpdir(), 'fundfinder-bundle-bench-'))
try {
  const bare = bundle(outdir, 'bare', 'bench/bare-api.ts')
  const required = bundle(outdir, 'bare + required', 'bench/required-api.ts')
  const api = bundle(outdir, 'public api', ENTRIES.publicApi)
  const bundles = [bare, required, api]

  const samples = new Map<string, Sample[]>()
  for (const { name } of bundles) samples.set(name, [])
  // One warm-up each (file system cache), then alternate so that machine load hits all alike.
  for (const { file } of bundles) await sample(file)
  for (let index = 0; index < env.BENCH_IMPORT_RUNS; index++) {
    for (const { name, file } of bundles) {
      samples.get(name)?.push(await sample(file))
    }
  }

  const rows = bundles.map(({ name, startBytes, totalBytes }) => {
    const measured = samples.get(name) ?? []
    const medianOf = (key: keyof Sample) => round(median(measured.map((entry) => entry[key])))
    return {
      bundle: name,
      'KiB at start': Math.round(startBytes / 1024),
      'KiB in all': Math.round(totalBytes / 1024),
      'process ms': medianOf('processMs'),
      'process CPU ms': medianOf('cpuMs'),
      'import() ms': medianOf('importMs'),
    }
  })
  console.log(
    `\nBundle import: ${env.BENCH_IMPORT_RUNS} fresh Node processes per bundle (${nodeVersion}, --enable-source-maps)`,
  )
  console.table(rows)
  type Row = (typeof rows)[number]
  const [bareRow, requiredRow, apiRow] = rows as [Row, Row, Row]
  const ratios = (of: Row, to: Row) => {
    const ratio = (key: 'process ms' | 'process CPU ms' | 'import() ms') => (of[key] / to[key]).toFixed(2)
    return `whole process ${ratio('process ms')}x wall, ${ratio('process CPU ms')}x CPU; import() alone ${ratio('import() ms')}x`
  }
  console.log(`API / bare (medians; target at most 1.5x): ${ratios(apiRow, bareRow)}`)
  console.log(
    `bare + required / bare (what zod config, Logger and Tracer cost): ${ratios(requiredRow, bareRow)}`,
  )
  console.log(`API / bare + required (what the app adds): ${ratios(apiRow, requiredRow)}`)
  console.log(`API bundle, largest parts loaded at start: ${largestInputs(api)}`)
} finally {
  await rm(outdir, { recursive: true, force: true })
}
