import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { createDeps, type Deps } from '../../shared/deps'
import { type Config, loadConfig } from '../../shared/platform/config'
import { createDocumentClient } from '../../shared/platform/dynamodb'
import { createLogger } from '../../shared/platform/logger'

export interface FunctionDepsOptions {
  /** Wraps the DynamoDB client every store uses: the traced functions capture its calls. */
  wrapClient?: (client: DynamoDBDocumentClient) => DynamoDBDocumentClient
}

/** A deployed function's deps: built from its configuration, logging under its own service name. */
export function functionDeps(config: Config, service: string, options: FunctionDepsOptions = {}): Deps {
  const client = createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint })
  return createDeps(config, {
    client: options.wrapClient ? options.wrapClient(client) : client,
    logger: createLogger(config.logLevel, service),
  })
}

/**
 * Built from the environment on the first invocation (so that a handler module can be imported,
 * and tested, without one) and kept for the warm container's later invocations.
 */
export function onFirstInvocation<T>(build: () => T): () => T {
  let built: T | undefined
  return () => {
    if (built === undefined) built = build()
    return built
  }
}

/** `functionDeps` from the environment, built on the first invocation. */
export function depsFromEnvironment(service: string, options: FunctionDepsOptions = {}): () => Deps {
  return onFirstInvocation(() => functionDeps(loadConfig(), service, options))
}
