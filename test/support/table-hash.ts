import { createHash } from 'node:crypto'
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'
import { ScanCommand } from '@aws-sdk/lib-dynamodb'

/**
 * A hash of every item in a test table (test-only: a Scan is fine on a table of a few dozen
 * items). Equal hashes before and after a request prove that the request wrote nothing.
 */
export async function tableContentHash(client: DynamoDBDocumentClient, tableName: string): Promise<string> {
  const items: string[] = []
  let startKey: Record<string, unknown> | undefined
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
    )
    for (const item of page.Items ?? []) items.push(stableStringify(item))
    startKey = page.LastEvaluatedKey
  } while (startKey)
  return createHash('sha256').update(items.sort().join('\n')).digest('hex')
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`
  if (value instanceof Set) return stableStringify([...value].sort())
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableStringify((value as Record<string, unknown>)[key])}`)
      .join(',')}}`
  }
  return JSON.stringify(value) ?? 'undefined'
}
