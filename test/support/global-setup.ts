import type { TestProject } from 'vitest/node'
import { startDynamoDbLocal } from '../../scripts/lib/dynamodb-local'

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string
  }
}

/** One DynamoDB Local (in memory) for the whole run; every test file creates its own tables. */
export default async function setup(project: TestProject) {
  const dynamodb = await startDynamoDbLocal()
  project.provide('dynamodbEndpoint', dynamodb.endpoint)
  return async () => {
    await dynamodb.stop()
  }
}
