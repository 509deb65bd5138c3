import { copyFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Runtime } from 'aws-cdk-lib/aws-lambda'
import { type BuildOptions, buildSync, type Metafile } from 'esbuild'
import { VIEWER_RUNTIME_FILES } from '../functions/api/docs/api-reference'

/**
 * How a Lambda function is bundled, defined once: the CDK construct and the bundle test
 * (test/infra/bundles.test.ts) both derive their esbuild options from here, so the bundle that is
 * tested is built exactly like the one that is deployed.
 */

/** Repository root (holds package-lock.json): CDK resolves entries and the lock file from it. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url))

/** The newest Node.js runtime this aws-cdk-lib offers; esbuild targets the same version. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X
export const ESBUILD_TARGET = 'node24'

/** Entry points, relative to the project root. Each exports `handler`. */
export const ENTRIES = {
  /** The public API function: the public surface's routes and pages only. */
  publicApi: 'functions/api/public-handler.ts',
  /** The write API function: the whole app (refusing the public surface). */
  api: 'functions/api/handler.ts',
  expireInstruments: 'functions/expire-instruments/handler.ts',
  sendDigests: 'functions/send-digests/handler.ts',
  mailFeedback: 'functions/mail-feedback/handler.ts',
  preTokenGeneration: 'functions/pre-token-generation/handler.ts',
  syncInstruments: 'functions/sync-instruments/handler.ts',
  publishSnapshot: 'functions/publish-snapshot/handler.ts',
  importInstruments: 'functions/import-instruments/handler.ts',
} as const

/** Some dependencies still `require()` Node built-ins; an ESM bundle needs a `require` for them. */
const ESM_REQUIRE_SHIM =
  "import { createRequire } from 'module';const require = createRequire(import.meta.url);"

/** Prefer ESM builds of dependencies (better tree shaking, top-level await in our entry). */
const MAIN_FIELDS = ['module', 'main']

/**
 * `zod` resolves to zod with English as its only locale (./zod-english/index.ts explains why). An
 * esbuild alias, relative to the project root, where CDK runs esbuild.
 */
export const ZOD_ALIAS = { zod: './infra/zod-english/index.ts' } as const

/**
 * Powertools Tracer resolves to its CommonJS build. Its ES module build imports `node:http` as an
 * ES module, and Node builds that module's ES facade by reading every export, including the lazy
 * getters that load undici (Node's fetch): about 9 ms of every cold start, though only the EU sync
 * and the Cognito sign-in exchange ever call fetch, and load it then (`require('node:http')`, what
 * the CommonJS build does, reads none of those getters). Measured with
 * `npm run bench:bundle`; test/infra/bundles.test.ts checks the traces the bundle sends. An alias,
 * not a resolver plugin, because CDK bundles synchronously (`buildSync` takes no plugins). It
 * covers the package's root only (we import nothing below it; a subpath would fail the build), and
 * it brings Powertools commons in as CommonJS beside the Logger's ES copy (about 11 KiB, inside the
 * measured figures).
 */
export const TRACER_ALIAS = {
  '@aws-lambda-powertools/tracer': './node_modules/@aws-lambda-powertools/tracer/lib/cjs/index.js',
} as const

/**
 * Package files an entry reads at run time rather than imports (the API reference's viewer: a
 * browser script and stylesheet that the API serves as they are). They travel beside the bundle as
 * node_modules/<package>/<file>, where Node's resolution from the bundle finds them just as it
 * finds them in the repository.
 */
export const RUNTIME_PACKAGE_FILES: Record<string, readonly string[]> = {
  // The reference is served on the public surface only.
  [ENTRIES.publicApi]: VIEWER_RUNTIME_FILES,
}

/** The module Lambda imports (`index.handler`); the other files of a bundle are chunks it loads. */
export const BUNDLE_ENTRY_FILE = 'index.mjs'

/**
 * esbuild's options for one entry, written to `outdir`: `index.mjs` plus the chunks it shares or
 * loads on demand. Code splitting is why the bundle is a directory: a module reached only through
 * `await import()` becomes a chunk of its own that a cold start neither compiles nor runs (in one
 * file, V8 compiles every byte whether or not it ever runs).
 *
 * The AWS SDK is bundled rather than taken from the runtime: the deployed function then runs the
 * SDK version the tests ran, not whichever one the Lambda runtime happens to ship.
 */
export function esbuildOptions(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: { [path.basename(BUNDLE_ENTRY_FILE, '.mjs')]: path.resolve(PROJECT_ROOT, entry) },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: ESBUILD_TARGET,
    minify: true,
    sourcemap: true,
    // Stack traces need the mappings, not the sources: Node parses the map on every cold start.
    sourcesContent: false,
    mainFields: MAIN_FIELDS,
    // Every chunk gets it: each is a module of its own.
    banner: { js: ESM_REQUIRE_SHIM },
    external: [],
    alias: { ...ZOD_ALIAS, ...TRACER_ALIAS },
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'silent',
  }
}

/**
 * Builds the bundle of one entry (relative to the project root) into `outdir`, with the package
 * files it reads: what the CDK construct packages (infra/constructs/fundfinder-function.ts), and
 * what the bundle tests and benchmarks run, so the tested bundle is built exactly like the
 * deployed one. Synchronous, as CDK's local bundling is.
 */
export function bundleEntry(entry: string, outdir: string): Metafile {
  const { metafile } = buildSync({ ...esbuildOptions(entry, outdir), metafile: true })
  for (const file of RUNTIME_PACKAGE_FILES[entry] ?? []) {
    const target = path.join(outdir, 'node_modules', file)
    mkdirSync(path.dirname(target), { recursive: true })
    copyFileSync(path.join(PROJECT_ROOT, 'node_modules', file), target)
  }
  return metafile
}

/**
 * The output files a cold start loads: the module of `entry` (relative to the project root) and,
 * transitively, the chunks it imports statically. Chunks reached only through `import()` are left
 * out: they load when first needed.
 */
export function loadedAtStart(metafile: Metafile, entry: string): Metafile['outputs'][string][] {
  const outputs = metafile.outputs
  // Modules reached through `import()` are entry points of their own; the bundle's is `entry`'s.
  const entryFile = Object.keys(outputs).find((file) => outputs[file]?.entryPoint === entry)
  const loaded = new Set<string>()
  const pending = entryFile ? [entryFile] : []
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (loaded.has(file)) continue
    loaded.add(file)
    for (const imported of outputs[file]?.imports ?? [])
      if (imported.kind === 'import-statement' && imported.path in outputs) pending.push(imported.path)
  }
  return [...loaded].flatMap((file) => outputs[file] ?? [])
}
