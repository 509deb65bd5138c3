import { handle } from 'hono/aws-lambda'
import { createDeps } from '../../shared/deps'
import { loadConfig } from '../../shared/platform/config'
import { createLogger } from '../../shared/platform/logger'
import { createApp } from './app'

const config = loadConfig()
export const handler = handle(
  createApp(createDeps(config, { logger: createLogger(config.logLevel, 'fundfinder-api') })),
)
