import type { Context, DynamoDBStreamEvent } from 'aws-lambda'
import { type PublishSummary, publishSnapshot } from '../../shared/catalogue/snapshot/publish-snapshot'
import type { Deps } from '../../shared/deps'
import { depsFromEnvironment } from '../lib/function-deps'

export const SNAPSHOT_SERVICE = 'fundfinder-snapshot'

type PublisherDeps = Pick<Deps, 'store' | 'snapshots' | 'clock' | 'logger'>

/**
 * Triggered by the table's stream, filtered to changes of the catalogue version item and batched
 * (see infra/constructs/catalogue-snapshot.ts): the records only say that the catalogue moved, so
 * one publish at the table's current version serves the whole batch. A failure throws, so Lambda
 * retries the batch; the previous snapshot stays current meanwhile.
 */
export function createPublishHandler(deps: () => PublisherDeps) {
  return async function publishSnapshotHandler(
    event: DynamoDBStreamEvent,
    context?: Partial<Context>,
  ): Promise<PublishSummary> {
    const { store, snapshots, clock, logger } = deps()
    if (context?.awsRequestId) logger.withLambdaContext(context as Context)
    if (!snapshots) throw new Error('SNAPSHOT_BUCKET is not configured: there is nowhere to publish.')
    logger.debug('catalogue changed', { records: event.Records?.length ?? 0 })
    return publishSnapshot({ store, snapshots, clock, logger })
  }
}

export const handler = createPublishHandler(depsFromEnvironment(SNAPSHOT_SERVICE))
