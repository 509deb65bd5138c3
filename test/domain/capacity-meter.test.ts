import { randomUUID } from 'node:crypto'
import { GetCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, inject, it } from 'vitest'
import { DynamoInstrumentStore } from '../../shared/catalogue/store'
import { createDocumentClient, ensureTable, meterCapacity } from '../../shared/platform/dynamodb'
import { keys } from '../../shared/platform/table'
import { instrumentInput } from '../support/factories'

describe('meterCapacity', () => {
  it('sums the capacity DynamoDB reports for reads and transactional writes', async () => {
    const client = createDocumentClient({ region: 'eu-west-1', endpoint: inject('dynamodbEndpoint') })
    const tableName = `t-${randomUUID()}`
    await ensureTable(client, tableName)
    const meter = meterCapacity(client)
    const store = new DynamoInstrumentStore(client, tableName)
    const record = await store.create(instrumentInput(), 'tester', new Date('2026-11-22T00:00:00Z'))
    expect(meter.write).toBeGreaterThan(0)
    meter.reset()
    await client.send(
      new GetCommand({ TableName: tableName, Key: keys.live(record.id), ConsistentRead: true }),
    )
    expect(meter.read).toBe(1)
    expect(meter.write).toBe(0)
  })
})
