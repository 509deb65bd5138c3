import type { TestProject } from 'vitest/node'
import { startDynamoDbLocal } from '../../scripts/lib/dynamodb-local'
import { startS3Local } from '../../scripts/lib/s3-local'

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string
    s3Endpoint: string
  }
}

/**
 * One DynamoDB Local (in memory) and one s3rver for the whole run; every test file creates its
 * own tables and buckets.
 */
export default async function setup(project: TestProject) {
  const [dynamodb, s3] = await Promise.all([startDynamoDbLocal(), startS3Local()])
  project.provide('dynamodbEndpoint', dynamodb.endpoint)
  project.provide('s3Endpoint', s3.endpoint)
  return async () => {
    await Promise.all([dynamodb.stop(), s3.stop()])
  }
}
