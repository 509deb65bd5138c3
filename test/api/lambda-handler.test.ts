import { randomUUID } from 'node:crypto'
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda'
import type { LambdaEvent } from 'hono/aws-lambda'
import { describe, expect, inject, it, vi } from 'vitest'
import { createDocumentClient, ensureTable } from '../../shared/dynamodb'
import { InstrumentInput } from '../../shared/instrument'
import { DynamoInstrumentStore } from '../../shared/instrument-repository'
import { instrumentBody } from '../support/factories'

/** A real API Gateway HTTP API (payload 2.0) event, as AWS's types describe it. */
function httpApiEvent(method: string, rawPath: string, rawQueryString = ''): LambdaEvent {
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    headers: {
      accept: 'application/json',
      host: 'abc123.execute-api.eu-west-1.amazonaws.com',
      'user-agent': 'curl/8',
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'curl/8' },
      requestId: 'Ab1cDeFgHiJkLmN=',
      routeKey: '$default',
      stage: '$default',
      time: '22/Nov/2026:10:00:00 +0000',
      timeEpoch: 1_795_346_400_000,
    },
    isBase64Encoded: false,
  }
  // Hono types a missing body as null where AWS's types say undefined; the runtime value is the same.
  return event as unknown as LambdaEvent
}

describe('functions/api/handler (Lambda, API Gateway HTTP API v2 events)', () => {
  it('serves /health and an instrument from DynamoDB', async () => {
    const endpoint = inject('dynamodbEndpoint')
    const tableName = `t-${randomUUID()}`
    const client = createDocumentClient({ region: 'eu-west-1', endpoint })
    await ensureTable(client, tableName)
    const record = await new DynamoInstrumentStore(client, tableName).create(
      InstrumentInput.parse(instrumentBody({ name: 'Seen through Lambda', deadline: '2099-01-01' })),
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
