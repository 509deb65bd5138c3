import { fileURLToPath } from 'node:url'
import { Runtime } from 'aws-cdk-lib/aws-lambda'
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs'
import type { BuildOptions } from 'esbuild'

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
  publishSnapshot: 'functions/publish-snapshot/handler.ts',
} as const

/** Some dependencies still `require()` Node built-ins; an ESM bundle needs a `require` for them. */
const ESM_REQUIRE_SHIM =
  "import { createRequire } from 'module';const require = createRequire(import.meta.url);"

/** Prefer ESM builds of dependencies (better tree shaking, top-level await in our entry). */
const MAIN_FIELDS = ['module', 'main']

/**
 * The AWS SDK is bundled rather than taken from the runtime: the deployed function then runs the
 * SDK version the tests ran, not whichever one the Lambda runtime happens to ship.
 */
export const lambdaBundling: BundlingOptions = {
  format: OutputFormat.ESM,
  target: ESBUILD_TARGET,
  minify: true,
  sourceMap: true,
  mainFields: MAIN_FIELDS,
  banner: ESM_REQUIRE_SHIM,
  bundleAwsSDK: true,
  externalModules: [],
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
    mainFields: MAIN_FIELDS,
    banner: { js: ESM_REQUIRE_SHIM },
    external: [],
    logLevel: 'silent',
  }
}
