import * as path from 'node:path'
import {
  AssetHashType,
  type Duration,
  type ILocalBundling,
  type RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib'
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb'
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam'
import {
  Architecture,
  Code,
  type FunctionProps,
  type IFunction,
  Function as LambdaFunction,
  Tracing,
} from 'aws-cdk-lib/aws-lambda'
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { Construct } from 'constructs'
import type { IndexName } from '../../shared/platform/table'
import { BUNDLE_ENTRY_FILE, bundleEntry, LAMBDA_RUNTIME, PROJECT_ROOT } from '../bundling'

/** Item-level DynamoDB actions; table-level ones (DeleteTable, UpdateTable, ...) are never granted. */
export const TABLE_ACTIONS = {
  /** Reads by key and Query; no Scan: no code path scans the table. */
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  /** What the store's audited transactions need (TransactWriteItems is authorised per item action). */
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
  ],
} as const

export type TableAccess = keyof typeof TABLE_ACTIONS

export interface FundfinderFunctionProps
  extends Pick<
    FunctionProps,
    'environment' | 'onFailure' | 'retryAttempts' | 'maxEventAge' | 'reservedConcurrentExecutions'
  > {
  /** Entry file relative to the project root; it exports `handler`. */
  entry: string
  description: string
  memorySize: number
  timeout: Duration
  logRetention: RetentionDays
  /** Dev stacks drop their logs with the stack; production keeps them. */
  logRemovalPolicy: RemovalPolicy
  /**
   * Instances kept initialised. Above 0, callers invoke an alias (`live`) on the published version
   * that carries them; at 0 there is no alias and no version, and callers invoke the function.
   */
  provisionedConcurrency?: number
}

/**
 * A Lambda function with the project's defaults held in one place: arm64, the newest Node.js
 * runtime, ESM bundling with code splitting by the local esbuild (see ../bundling.ts), explicit
 * memory and timeout, its own log group with retention, X-Ray active tracing (the handlers add
 * Powertools Tracer subsegments, shared/platform/tracing.ts), and a role that starts with nothing
 * but the right to write to that log group and send traces (no AWS managed policy). Table access
 * is added with `bindTable`.
 */
export class FundfinderFunction extends LambdaFunction {
  /** What API Gateway, schedulers and triggers invoke: the `live` alias when instances are kept warm. */
  readonly invocationTarget: IFunction

  constructor(scope: Construct, id: string, props: FundfinderFunctionProps) {
    const { entry, logRetention, logRemovalPolicy, provisionedConcurrency = 0, ...rest } = props
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: logRetention,
      removalPolicy: logRemovalPolicy,
    })
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${nameInStack(scope, id)}: its log group and the grants added by bindTable only`,
    })
    logGroup.grantWrite(role)
    super(scope, id, {
      ...rest,
      // Stack traces point into the TypeScript sources through the bundled source map.
      environment: { NODE_OPTIONS: '--enable-source-maps', ...rest.environment },
      code: bundledCode(entry),
      handler: `${path.basename(BUNDLE_ENTRY_FILE, '.mjs')}.handler`,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      logGroup,
      role,
      tracing: Tracing.ACTIVE,
    })
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords only, which support no resource-level permissions (the X-Ray service authorisation reference lists no resource type for them).',
    })
    this.invocationTarget =
      provisionedConcurrency > 0
        ? this.addAlias('live', { provisionedConcurrentExecutions: provisionedConcurrency })
        : this
  }

  /**
   * Grants item-level access to the table and only the named indexes, and tells the function the
   * table's name: the grant and the configuration cannot be set up one without the other.
   */
  bindTable(table: ITableV2, access: TableAccess, indexes: readonly IndexName[]): void {
    const indexArns = indexes.map((indexName) => `${table.tableArn}/index/${indexName}`)
    this.addToRolePolicy(
      new PolicyStatement({ actions: [...TABLE_ACTIONS[access]], resources: [table.tableArn, ...indexArns] }),
    )
    this.addEnvironment('TABLE_NAME', table.tableName)
  }
}

/**
 * The entry's bundle as the function's code: a directory (the entry module and its chunks), which
 * `NodejsFunction`'s single `--outfile` cannot produce. Built by the local esbuild, as the tests
 * build it (`bundleEntry`); the asset's hash is that of the output, so an unchanged bundle is not
 * uploaded again.
 */
function bundledCode(entry: string): Code {
  return Code.fromAsset(PROJECT_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      local: new LocalEsbuild(entry),
      // Never used (local bundling always succeeds or throws), but CDK requires an image; the
      // command names the entry, so that the asset cache tells entries apart.
      image: LAMBDA_RUNTIME.bundlingImage,
      command: ['sh', '-c', `echo "bundle ${entry} with the local esbuild (npm ci)" >&2; exit 1`],
    },
  })
}

class LocalEsbuild implements ILocalBundling {
  constructor(readonly entry: string) {}

  tryBundle(outputDir: string): boolean {
    bundleEntry(this.entry, outputDir)
    return true
  }
}

/** The function's construct ids below the stack, joined as its logical id (and role name) begins. */
function nameInStack(scope: Construct, id: string): string {
  const scopes = scope.node.scopes
  const below = scopes.slice(scopes.indexOf(Stack.of(scope)) + 1)
  return [...below.map((construct) => construct.node.id), id].join('')
}
