import { randomUUID } from 'node:crypto'
import type { Context } from 'aws-lambda'
import { describe, expect, inject, it, vi } from 'vitest'
import { DynamoInstrumentStore } from '../../shared/catalogue/store'
import { createDocumentClient, ensureTable } from '../../shared/platform/dynamodb'
import { httpApiEvent } from '../support/api-gateway-event'
import { instrumentInput } from '../support/factories'

describe('functions/api/handler (Lambda, API Gateway HTTP API v2 events)', () => {
  it('serves /health and an instrument from DynamoDB', async () => {
    const endpoint = inject('dynamodbEndpoint')
    const tableName = `t-${randomUUID()}`
    const client = createDocumentClient({ region: 'eu-west-1', endpoint })
    await ensureTable(client, tableName)
    const record = await new DynamoInstrumentStore(client, tableName).create(
      instrumentInput({ name: 'Seen through Lambda', deadline: '2099-01-01' }),
      'tester',
      new Date(),
    )
    vi.stubEnv('TABLE_NAME', tableName)
    vi.stubEnv('DYNAMODB_ENDPOINT', endpoint)
    vi.stubEnv('AUTH_ISSUER', 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_test')
    vi.stubEnv('AUTH_AUDIENCE', 'client-id')
    vi.stubEnv('LOG_LEVEL', 'silent')
    const { handler } = await import('../../functions/api/handler')
    const context = { awsRequestId: 'req-1' } as Context

    const health = await handler(httpApiEvent('GET', '/health'), context)
    expect(health).toMatchObject({ statusCode: 200 })
    expect(JSON.parse((health as { body: string }).body)).toEqual({ status: 'ok' })

    const found = (await handler(httpApiEvent('GET', `/v1/instruments/${record.id}`), context)) as {
      statusCode: number
      headers: Record<string, string>
      body: string
    }
    expect(found.statusCode).toBe(200)
    expect(found.headers.etag).toBe('"1"')
    expect(JSON.parse(found.body).name).toBe('Seen through Lambda')

    const unauthenticated = (await handler(httpApiEvent('POST', '/v1/instruments'), context)) as {
      statusCode: number
      headers: Record<string, string>
    }
    expect(unauthenticated.statusCode).toBe(401)
    expect(unauthenticated.headers['content-type']).toBe('application/problem+json')
    vi.unstubAllEnvs()
  })
})
