import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { createDeps, type Deps } from '../../shared/deps'
import { parseConfig } from '../../shared/platform/config'
import { silentLogger } from '../../shared/platform/logger'

/**
 * The composition root's dependencies on a table a benchmark or test made for itself on a running
 * DynamoDB Local: quiet, on the given (often metered) client, no snapshot bucket unless `env` names
 * one. `env` adds configuration as the environment would; `overrides` replaces parts, as in
 * `createDeps`.
 */
export function depsForTable(
  table: { client: DynamoDBDocumentClient; endpoint: string; tableName: string },
  env: Record<string, string> = {},
  overrides: Partial<Deps> = {},
): Deps {
  const config = parseConfig({
    TABLE_NAME: table.tableName,
    DYNAMODB_ENDPOINT: table.endpoint,
    LOG_LEVEL: 'silent',
    ...env,
  })
  return createDeps(config, { client: table.client, logger: silentLogger, ...overrides })
}
