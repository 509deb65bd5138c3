/**
 * The baseline of bench/bundle-import.ts: the least an HTTP API on DynamoDB loads, with the same
 * Lambda adapter and DocumentClient the API uses. Bundled, never deployed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb'
import { Hono } from 'hono'
import { handle } from 'hono/aws-lambda'

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}))
const app = new Hono()
app.get('/health', (c) => c.json({ status: 'ok' }))
app.get('/v1/instruments/:id', async (c) => {
  const { Item } = await client.send(
    new GetCommand({ TableName: 'fundfinder', Key: { pk: 'CATALOGUE', sk: `INST#${c.req.param('id')}` } }),
  )
  return Item ? c.json(Item) : c.notFound()
})

export const handler = handle(app)
