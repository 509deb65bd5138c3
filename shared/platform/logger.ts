import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger'
import type { Context as LambdaContext } from 'aws-lambda'

/**
 * The one logger: Powertools Logger (structured JSON, one line per event, the Lambda context's
 * request id and cold-start flag once `withLambdaContext` has seen an invocation). Used the same way
 * by both functions, the local server and the scripts. Logs request summaries and failures, never
 * tokens or request bodies.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
  /** Adds the invocation's context (request id, function name, cold start) to every later line. */
  withLambdaContext(context: LambdaContext): void
}

export function createLogger(level: LogLevel, serviceName: string): Logger {
  const logger = new PowertoolsLogger({
    serviceName,
    logLevel: level.toUpperCase() as 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT',
  })
  return {
    debug: (message, fields = {}) => logger.debug(message, fields),
    info: (message, fields = {}) => logger.info(message, fields),
    warn: (message, fields = {}) => logger.warn(message, fields),
    error: (message, fields = {}) => logger.error(message, fields),
    withLambdaContext: (context) => logger.addContext(context),
  }
}

export const silentLogger: Logger = createLogger('silent', 'fundfinder')
