export { COMMIT_RETRY, type CommitRetryPolicy } from './catalogue-transaction'
export { DynamoInstrumentStore } from './dynamo-instrument-store'
export * from './instrument-store'
export { liveItemOf } from './items'
