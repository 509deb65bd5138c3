import { devIssuerJwks } from '../../scripts/lib/dev-issuer'
import { LiveCatalogue } from '../../shared/catalogue/search/live-catalogue'
import { DynamoInstrumentStore } from '../../shared/catalogue/store/instrument-store'
import { createJwtVerifier } from '../../shared/platform/auth'
import { type Config, loadConfig } from '../../shared/platform/config'
import { createDocumentClient } from '../../shared/platform/dynamodb'
import { createLogger } from '../../shared/platform/logger'
import { systemClock } from '../../shared/platform/time'
import { DynamoProjectStore } from '../../shared/portfolio/project-store'
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
