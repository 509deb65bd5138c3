/**
 * The second baseline of bench/bundle-import.ts: the bare API (./bare-api.ts) plus what every
 * fundfinder API function must load whatever its routes, by the rules it is built under: the
 * configuration parsed once with zod (shared/platform/config.ts), Powertools Logger, Powertools
 * Tracer (X-Ray) around the handler and the DynamoDB client, and a zod-validated route. The
 * distance from the bare bundle to this one is what those requirements cost; the distance from
 * this one to the public API bundle is what the app adds. Bundled, never deployed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'
import { Hono } from 'hono'
import { handle } from 'hono/aws-lambda'
import { z } from 'zod'
import { loadConfig } from '../shared/platform/config'
import { createLogger } from '../shared/platform/logger'
import { createTracer, traceClient, tracedHandler } from '../shared/platform/tracing'

const config = loadConfig()
const tracer = createTracer('fundfinder-bench')
const logger = createLogger(config.logLevel, 'fundfinder-bench')
const client = traceClient(tracer, DynamoDBDocumentClient.from(new DynamoDBClient({ region: config.region })))
const InstrumentPath = z.object({ id: z.string().min(1).max(64) })

const app = new Hono()
app.get('/health', (c) => c.json({ status: 'ok' }))
app.get('/v1/instruments/:id', async (c) => {
  const { id } = InstrumentPath.parse(c.req.param())
  const { Item } = await client.send(
    new GetCommand({ TableName: config.tableName, Key: { pk: 'CATALOGUE', sk: `INST#${id}` } }),
  )
  logger.info('request', { id, found: Boolean(Item) })
  return Item ? c.json(Item) : c.notFound()
})

export const handler = tracedHandler(tracer, handle(app))
