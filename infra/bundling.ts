import { copyFile, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Runtime } from 'aws-cdk-lib/aws-lambda'
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs'
import type { BuildOptions } from 'esbuild'
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
 * The AWS SDK is bundled rather than taken from the runtime: the deployed function then runs the
 * SDK version the tests ran, not whichever one the Lambda runtime happens to ship.
 */
const lambdaBundling: BundlingOptions = {
  format: OutputFormat.ESM,
  target: ESBUILD_TARGET,
  minify: true,
  sourceMap: true,
  // Stack traces need the mappings, not the sources: Node parses the map on every cold start.
  sourcesContent: false,
  mainFields: MAIN_FIELDS,
  banner: ESM_REQUIRE_SHIM,
  bundleAwsSDK: true,
  externalModules: [],
  esbuildArgs: Object.fromEntries(Object.entries(ZOD_ALIAS).map(([from, to]) => [`--alias:${from}`, to])),
}

/**
 * Package files an entry reads at run time rather than imports (the API reference's viewer: a
 * browser script and stylesheet that the API serves as they are). They travel beside the bundle as
 * node_modules/<package>/<file>, where Node's resolution from the bundle finds them just as it
 * finds them in the repository.
 */
export const RUNTIME_PACKAGE_FILES: Record<string, readonly string[]> = {
  [ENTRIES.api]: VIEWER_RUNTIME_FILES,
}

/** The bundling of one entry: the common options, plus copying the package files it reads. */
export function bundlingFor(entry: string): BundlingOptions {
  const files = RUNTIME_PACKAGE_FILES[entry] ?? []
  if (files.length === 0) return lambdaBundling
  return {
    ...lambdaBundling,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir, outputDir) =>
        files.map((file) => {
          const target = `${outputDir}/node_modules/${file}`
          return `mkdir -p "${path.posix.dirname(target)}" && cp "${inputDir}/node_modules/${file}" "${target}"`
        }),
    },
  }
}

/** What `bundlingFor`'s hook does, for a bundle built with `esbuildOptions` (the bundle test). */
export async function copyRuntimePackageFiles(entry: string, outdir: string): Promise<void> {
  for (const file of RUNTIME_PACKAGE_FILES[entry] ?? []) {
    const target = path.join(outdir, 'node_modules', file)
    await mkdir(path.dirname(target), { recursive: true })
    await copyFile(path.join(PROJECT_ROOT, 'node_modules', file), target)
  }
}

/** The same bundle through esbuild's own API (what `NodejsFunction` runs), for tests. */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: ESBUILD_TARGET,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: MAIN_FIELDS,
    banner: { js: ESM_REQUIRE_SHIM },
    external: [],
    alias: ZOD_ALIAS,
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'silent',
  }
}
