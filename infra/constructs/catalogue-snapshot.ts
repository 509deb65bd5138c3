import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib'
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb'
import { PolicyStatement } from 'aws-cdk-lib/aws-iam'
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda'
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources'
import type { RetentionDays } from 'aws-cdk-lib/aws-logs'
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3'
import { Construct } from 'constructs'
import { SNAPSHOT_KEYS, SNAPSHOT_STATE_TAG } from '../../shared/catalogue/snapshot/snapshot-store'
import { keys } from '../../shared/platform/table'
import { ENTRIES } from '../bundling'
import type { AlarmTopic } from './alarm-topic'
import { DeadLetterQueue } from './dead-letter-queue'
import { FundfinderFunction } from './fundfinder-function'

export interface CatalogueSnapshotProps {
  /** The catalogue table; it must have a stream (KEYS_ONLY is enough: only keys are filtered on). */
  table: ITableV2
  retainData: boolean
  logRetention: RetentionDays
  logLevel: string
  alarms: AlarmTopic
}

/** Objects the publisher and readers touch: the pointer and the snapshots, all under this prefix. */
const CATALOGUE_OBJECTS = 'catalogue/*'

/** Changes to the catalogue version item are the only stream records the publisher sees. */
export const VERSION_ITEM_FILTER = {
  dynamodb: {
    Keys: {
      pk: { S: FilterRule.isEqual(keys.catalogueVersion().pk) },
      sk: { S: FilterRule.isEqual(keys.catalogueVersion().sk) },
    },
  },
}

/**
 * The catalogue snapshot that cold API instances load instead of reading the whole catalogue
 * partition: a private, encrypted bucket, and a publisher triggered by the table's stream. Every
 * committed change bumps the catalogue version item, so the stream, filtered to that item and
 * batched for a few seconds, wakes the publisher once per burst of writes. The publisher reads the
 * table and writes the bucket; readers (`grantRead`) only read the bucket.
 */
export class CatalogueSnapshot extends Construct {
  readonly bucket: Bucket
  readonly publisher: FundfinderFunction
  readonly deadLetters: DeadLetterQueue

  constructor(scope: Construct, id: string, props: CatalogueSnapshotProps) {
    super(scope, id)
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Snapshot objects carry their lifecycle state as a tag (shared/catalogue/snapshot/snapshot-store.ts).
      lifecycleRules: [
        {
          id: 'expire-superseded-snapshots',
          prefix: SNAPSHOT_KEYS.prefix,
          tagFilters: { [SNAPSHOT_STATE_TAG]: 'superseded' },
          expiration: Duration.days(1),
        },
        {
          id: 'expire-abandoned-snapshots',
          prefix: SNAPSHOT_KEYS.prefix,
          tagFilters: { [SNAPSHOT_STATE_TAG]: 'pending' },
          expiration: Duration.days(7),
        },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // A snapshot is derived data: a dev stack drops it with the stack (emptied first).
      removalPolicy,
      autoDeleteObjects: !props.retainData,
    })
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds a derived, public catalogue snapshot, written by the publisher role and read by the API role only (no public access, SSL only); access logs would need a second bucket and describe nothing that is not public.',
    })

    this.deadLetters = new DeadLetterQueue(this, 'PublisherDeadLetters', {
      deadLetterQueueOf: "the publisher's stream event source (its on-failure destination)",
      alarms: props.alarms,
      alarmId: 'PublisherDeadLetterMessages',
      alarmDescription: 'Catalogue changes the snapshot publisher gave up on after every retry',
    })

    this.publisher = new FundfinderFunction(this, 'Publisher', {
      entry: ENTRIES.publishSnapshot,
      description: 'fundfinder: publishes the catalogue snapshot after changes',
      // Inflating, merging and deflating a 50,000-instrument snapshot takes about a second at this size.
      memorySize: 1024,
      timeout: Duration.minutes(2),
      logRetention: props.logRetention,
      logRemovalPolicy: removalPolicy,
      environment: { SNAPSHOT_BUCKET: this.bucket.bucketName, LOG_LEVEL: props.logLevel },
    })
    this.publisher.bindTable(props.table, 'read', [])
    this.publisher.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:PutObjectTagging'],
        resources: [this.bucket.arnForObjects(CATALOGUE_OBJECTS)],
      }),
    )
    // Without ListBucket, S3 answers a missing key with 403 instead of 404.
    this.publisher.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    )
    this.publisher.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.LATEST,
        // A burst of writes (an import commits up to 99 changes a transaction) makes one publish.
        batchSize: 1000,
        maxBatchingWindow: Duration.seconds(5),
        filters: [FilterCriteria.filter(VERSION_ITEM_FILTER)],
        retryAttempts: 5,
        maxRecordAge: Duration.hours(1),
        onFailure: new SqsDlq(this.deadLetters),
      }),
    )
    Validations.of(this.publisher).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked by a stream event source mapping, whose failed batches go to its on-failure queue (PublisherDeadLetters); a function DLQ applies to asynchronous invocations only.',
    })
    this.acknowledgeObjectWildcard(
      this.publisher,
      'Snapshot objects get generated keys under catalogue/ (the version and a ULID): the publisher reads, writes and tags those, and nothing else in the bucket.',
    )

    // The publisher's errors and throttles: the stack's operations.watchFunction.
  }

  /** Lets a function read the snapshot (nothing else in the bucket, no writes) and tells it the bucket. */
  grantRead(fn: FundfinderFunction): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(CATALOGUE_OBJECTS)],
      }),
    )
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    )
    fn.addEnvironment('SNAPSHOT_BUCKET', this.bucket.bucketName)
    this.acknowledgeObjectWildcard(
      fn,
      'Read-only access to the catalogue snapshot objects, whose keys are generated.',
    )
  }

  private acknowledgeObjectWildcard(fn: FundfinderFunction, reason: string): void {
    const bucketId = Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket)
    if (!fn.role) return
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${CATALOGUE_OBJECTS}]`,
      reason,
    })
  }
}
