/**
 * `npm run bench:bundle` (also part of `npm run bench`): what a cold start pays to load the deployed
 * API bundle, against a bare Hono + DynamoDB DocumentClient bundle built with the same esbuild
 * options (infra/bundling.ts). Each sample is a fresh Node process that imports the bundle, so
 * module evaluation (not file size) is what is measured; the medians and their ratio are printed.
 *
 * Two numbers per bundle: the whole process (spawn to exit, what a Lambda cold start adds to the
 * runtime's own start), and the `import()` alone, timed inside the process.
 *
 * Environment: BENCH_IMPORT_RUNS (default 21, alternating between the bundles so that load on the
 * machine affects both alike).
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { build, type Metafile } from 'esbuild'
import { z } from 'zod'
import { copyRuntimePackageFiles, ENTRIES, esbuildOptions, PROJECT_ROOT } from '../infra/bundling'

const env = z
  .object({ BENCH_IMPORT_RUNS: z.coerce.number().int().min(3).max(500).default(21) })
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
}

interface Bundle {
  name: string
  file: string
  bytes: number
  metafile: Metafile
}

async function bundle(outdir: string, name: string, entry: string, copyFilesOf?: string): Promise<Bundle> {
  const file = path.join(outdir, name, 'index.mjs')
  const { metafile } = await build({ ...esbuildOptions(entry, file), metafile: true })
  if (copyFilesOf) await copyRuntimePackageFiles(copyFilesOf, path.dirname(file))
  return { name, file, bytes: (await stat(file)).size, metafile }
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
    process.execPath,
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

/** The largest contributors to a bundle's size, by package (or our own top folder). */
function largestInputs(metafile: Metafile, top = 8): string {
  const output =
    Object.values(metafile.outputs).find((entry) => entry.entryPoint) ?? Object.values(metafile.outputs)[0]
  const byOwner = new Map<string, number>()
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
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

const outdir = await mkdtemp(path.join(tmpdir(), 'fundfinder-bundle-bench-'))
try {
  const bare = await bundle(outdir, 'bare', path.join(PROJECT_ROOT, 'bench/bare-api.ts'))
  const api = await bundle(outdir, 'api', path.join(PROJECT_ROOT, ENTRIES.api), ENTRIES.api)

  const samples = new Map<string, Sample[]>()
  for (const { name } of [bare, api]) samples.set(name, [])
  // One warm-up each (file system cache), then alternate so that machine load hits both alike.
  await sample(bare.file)
  await sample(api.file)
  for (let index = 0; index < env.BENCH_IMPORT_RUNS; index++) {
    for (const { name, file } of [bare, api]) {
      samples.get(name)?.push(await sample(file))
    }
  }

  const rows = [bare, api].map(({ name, bytes }) => {
    const measured = samples.get(name) ?? []
    const medianOf = (key: keyof Sample) => round(median(measured.map((entry) => entry[key])))
    return {
      bundle: name,
      KiB: Math.round(bytes / 1024),
      'process ms': medianOf('processMs'),
      'process CPU ms': medianOf('cpuMs'),
      'import() ms': medianOf('importMs'),
    }
  })
  console.log(
    `\nBundle import: ${env.BENCH_IMPORT_RUNS} fresh Node processes per bundle (${process.version}, --enable-source-maps)`,
  )
  console.table(rows)
  const [bareRow, apiRow] = rows as [(typeof rows)[number], (typeof rows)[number]]
  const ratio = (key: keyof typeof apiRow) => ((apiRow[key] as number) / (bareRow[key] as number)).toFixed(2)
  console.log(
    `API / bare (medians): whole process ${ratio('process ms')}x wall, ${ratio('process CPU ms')}x CPU (target at most 1.5x); import() alone ${ratio('import() ms')}x`,
  )
  console.log(`API bundle, largest parts: ${largestInputs(api.metafile)}`)
} finally {
  await rm(outdir, { recursive: true, force: true })
}
