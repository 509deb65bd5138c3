import { createJwtVerifier } from '../../shared/auth'
import { type Config, loadConfig } from '../../shared/config'
import { devIssuerJwks } from '../../shared/dev-issuer'
import { createDocumentClient } from '../../shared/dynamodb'
import { DynamoInstrumentStore } from '../../shared/instrument-repository'
import { createLogger } from '../../shared/logger'
import { DynamoProjectStore } from '../../shared/projects/project-store'
import { LiveCatalogue } from '../../shared/search/live-catalogue'
import { systemClock } from '../../shared/time'
import type { AppDeps } from './lib/types'

/** The real dependencies for a configuration: DynamoDB, the JWKS verifier, the system clock. */
export async function depsFromConfig(config: Config): Promise<AppDeps> {
  const client = createDocumentClient({ region: config.region, endpoint: config.dynamodbEndpoint })
  const keys = config.auth.devIssuerKeyFile
    ? { jwks: await devIssuerJwks(config.auth.devIssuerKeyFile) }
    : { jwksUrl: config.auth.jwksUrl }
  const store = new DynamoInstrumentStore(client, config.tableName, config.archiveRetentionDays)
  return {
    config,
    store,
    catalogue: new LiveCatalogue(store, { maxStalenessMs: config.catalogueMaxStalenessMs }),
    projects: new DynamoProjectStore(client, config.tableName),
    verifier: createJwtVerifier({ issuer: config.auth.issuer, audience: config.auth.audience, keys }),
    clock: systemClock,
    logger: createLogger(config.logLevel, { service: 'fundfinder-api' }),
  }
}

export function productionDeps(): Promise<AppDeps> {
  return depsFromConfig(loadConfig())
}
