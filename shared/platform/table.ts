/**
 * The one definition of the DynamoDB table: keys, indexes and the TTL attribute. The local
 * bootstrap (`createTableInput`) and the CDK stack both build the table from this, so they
 * cannot drift apart.
 *
 * Item layout (single table):
 * | item                     | pk           | sk                  | notes                                  |
 * | ------------------------ | ------------ | ------------------- | -------------------------------------- |
 * | live instrument          | `CATALOGUE`  | `INST#<id>`         | `expiresAt` (number) when it has a deadline; `reviewQueue`, `reviewCountry`, `reviewSince` while in review |
 * | archived instrument      | `ARCHIVE`    | `INST#<id>`         | `archivedAt`, `reason`, `ttl`          |
 * | catalogue version        | `META`       | `CATALOGUE`         | `version`: bumped by every change      |
 * | audit event / change log | `AUDIT`      | `SEQ#<12-digit seq>`| `seq` = catalogue version it created   |
 * | external id claim        | `EXTERNAL`   | `<externalId>`      | `id`: keeps externalIds unique         |
 * | project (portfolio)      | `ORG#<org>`  | `PROJECT#<id>`      | private to the org in the caller's token |
 * | a project's watch        | `ORG#<org>`  | `WATCH#<project>#<sub id>` | `subscriptionId` (link to `SUB#<id>`), `watchId` (random: what the org sees); the org lists and ends its projects' confirmed watches; pending: `ttl` |
 * | subscription             | `SUB#<id>`   | `SUBSCRIPTION`      | pending: `ttl`; confirmed: `dueShard`, `dueAt` |
 * | subscription link token  | `SUB#<id>`   | `TOKEN#<sha256>`    | `purpose`, `ttl`; the token itself is never stored |
 * | digest bookkeeping       | `SUB#<id>`   | `DIGEST`            | change-log watermark, ids announced and reminded |
 * | an address's subscription| `ADDRESS#<h>`| `SUB#<id>`          | `<h>` = hash of the address; bounces find subscriptions by it |
 * | suppressed address       | `ADDRESS#<h>`| `SUPPRESSED`        | bounced or complained: never mailed again |
 * | rate-limit counter       | `ADDRESS#<h>` or `CLIENT#<h>` | `RATE#<window>` | `hits`, `ttl` |
 * | subscription activity    | `SUBSCRIPTION_STATS` | `DAY#<date>` | counters for the admin stats |
 * | import job               | `IMPORT#<id>`| `JOB`               | state, progress, counts; `ttl`         |
 * | import job's file        | `IMPORT#<id>`| `FILE#<4-digit n>`  | the upload, gzip, in chunks; `ttl`     |
 * | import job's failures    | `IMPORT#<id>`| `FAILED#<6-digit i>`| failed records of the part from record i; `ttl` |
 *
 * The live catalogue sits in one partition so that it can be read with one strongly consistent
 * Query (search instances load it into memory) and never needs a Scan. A project's organisation is
 * its partition key, so every project read or write is scoped by the caller's organisation in the
 * key itself: another organisation's project simply does not exist for the caller. Projects carry
 * none of the index attributes (`expiresAt`, `archivedAt`, `instrumentId`, `review*`), so no index sees them.
 *
 * The review queue (held instruments and those whose features are still suggested) is two sparse
 * indexes over the live items that carry the review attributes, which the store writes in the same
 * Put as the instrument, so entering and leaving review is part of the change's own transaction:
 * `reviewQueue` (one partition, oldest first) for admins and unscoped editors, and
 * `reviewQueueByCountry` (a partition per country) for national contact points, who read only their
 * countries' partitions and merge them by `reviewSince`, never filtering the whole queue.
 *
 * Each subscription has a partition of its own (`SUB#<id>`), so subscriptions never share a hot
 * partition and unsubscribing deletes the whole partition. Everything about one address (its
 * subscriptions, suppression, rate counter) sits under the hash of the address, never the address.
 *
 * An asynchronous import is a partition of its own, read whole with one Query and removed by TTL
 * (`IMPORT_JOB_RETENTION_DAYS`) after it ends; no index sees it either.
 */
export type AttributeType = 'S' | 'N'

export interface KeyAttribute {
  name: string
  type: AttributeType
}

export interface IndexDefinition {
  partitionKey: KeyAttribute
  sortKey: KeyAttribute
}

export const TABLE_KEYS = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
} as const satisfies { partitionKey: KeyAttribute; sortKey: KeyAttribute }

export const TTL_ATTRIBUTE = 'ttl'

/** Global secondary indexes, named after the access pattern they serve. All project ALL attributes. */
export const INDEXES = {
  /** Live instruments with a deadline, ordered by the instant they expire (sparse): the expiry job's read. */
  liveByExpiry: { partitionKey: { name: 'pk', type: 'S' }, sortKey: { name: 'expiresAt', type: 'N' } },
  /** Archived instruments, newest first. */
  archiveByTime: { partitionKey: { name: 'pk', type: 'S' }, sortKey: { name: 'archivedAt', type: 'S' } },
  /** Audit events of one instrument, newest first (sparse: only audit events carry `instrumentId`). */
  auditByInstrument: {
    partitionKey: { name: 'instrumentId', type: 'S' },
    sortKey: { name: 'seq', type: 'N' },
  },
  /**
   * Confirmed subscriptions by the instant their next digest is due (sparse: only confirmed ones carry
   * `dueShard`): the digest job's read. `dueShard` is `DUE#<frequency>#<0..SUBSCRIPTION_SHARDS-1>`, so
   * the writes of a large run (every claim moves `dueAt`) spread over many index partitions.
   */
  subscriptionsDue: { partitionKey: { name: 'dueShard', type: 'S' }, sortKey: { name: 'dueAt', type: 'N' } },
  /** Instruments waiting for an editor (held, or features suggested), oldest first (sparse). */
  reviewQueue: {
    partitionKey: { name: 'reviewQueue', type: 'S' },
    sortKey: { name: 'reviewSince', type: 'S' },
  },
  /** The same, one partition per country (national and regional instruments only; sparse). */
  reviewQueueByCountry: {
    partitionKey: { name: 'reviewCountry', type: 'S' },
    sortKey: { name: 'reviewSince', type: 'S' },
  },
} as const satisfies Record<string, IndexDefinition>

export type IndexName = keyof typeof INDEXES

/**
 * Indexes added after the first deployed release, in the order an existing table receives them:
 * CloudFormation adds one global secondary index per table update, so upgrading an existing stack
 * takes one deployment per index (`-c maxNewIndexes=1`, then `2`, ...; README, Deploy). A new
 * table gets them all at once.
 */
export const INDEXES_ADDED_LATER = [
  'reviewQueue',
  'reviewQueueByCountry',
  'subscriptionsDue',
] as const satisfies readonly IndexName[]

/** Index names for queries and IAM grants (`INDEX.liveByExpiry`): checked, never a string literal. */
export const INDEX: { readonly [Name in IndexName]: Name } = {
  liveByExpiry: 'liveByExpiry',
  archiveByTime: 'archiveByTime',
  auditByInstrument: 'auditByInstrument',
  subscriptionsDue: 'subscriptionsDue',
  reviewQueue: 'reviewQueue',
  reviewQueueByCountry: 'reviewQueueByCountry',
}

export const PARTITIONS = {
  catalogue: 'CATALOGUE',
  archive: 'ARCHIVE',
  meta: 'META',
  audit: 'AUDIT',
  external: 'EXTERNAL',
  /** The one partition of the `reviewQueue` index. */
  review: 'REVIEW',
} as const

export const keys = {
  live: (id: string) => ({ pk: PARTITIONS.catalogue, sk: `INST#${id}` }),
  archived: (id: string) => ({ pk: PARTITIONS.archive, sk: `INST#${id}` }),
  catalogueVersion: () => ({ pk: PARTITIONS.meta, sk: 'CATALOGUE' }),
  audit: (seq: number) => ({ pk: PARTITIONS.audit, sk: auditSortKey(seq) }),
  external: (externalId: string) => ({ pk: PARTITIONS.external, sk: externalId }),
  importJob: (id: string) => ({ pk: importPartition(id), sk: 'JOB' }),
  importFileChunk: (id: string, chunk: number) => ({
    pk: importPartition(id),
    sk: `${IMPORT_FILE_PREFIX}${String(chunk).padStart(4, '0')}`,
  }),
  importFailures: (id: string, firstRecord: number) => ({
    pk: importPartition(id),
    sk: `${IMPORT_FAILURES_PREFIX}${String(firstRecord).padStart(6, '0')}`,
  }),
  organisation: (org: string) => `ORG#${org}`,
  project: (org: string, id: string) => ({ pk: `ORG#${org}`, sk: `${PROJECT_SORT_PREFIX}${id}` }),
}

/** Index partitions per frequency of `subscriptionsDue` (write sharding; the job queries each). */
export const SUBSCRIPTION_SHARDS = 16

export const subscriptionKeys = {
  subscription: (id: string) => ({ pk: `SUB#${id}`, sk: 'SUBSCRIPTION' }),
  partition: (id: string) => `SUB#${id}`,
  token: (id: string, tokenHash: string) => ({ pk: `SUB#${id}`, sk: `TOKEN#${tokenHash}` }),
  digest: (id: string) => ({ pk: `SUB#${id}`, sk: 'DIGEST' }),
  address: (addressHash: string) => `ADDRESS#${addressHash}`,
  addressSubscription: (addressHash: string, id: string) => ({
    pk: `ADDRESS#${addressHash}`,
    sk: `SUB#${id}`,
  }),
  suppressed: (addressHash: string) => ({ pk: `ADDRESS#${addressHash}`, sk: 'SUPPRESSED' }),
  client: (clientHash: string) => `CLIENT#${clientHash}`,
  rateCounter: (partition: string, window: string) => ({ pk: partition, sk: `RATE#${window}` }),
  activity: (day: string) => ({ pk: 'SUBSCRIPTION_STATS', sk: `DAY#${day}` }),
  dueShard: (frequency: string, shard: number) => `DUE#${frequency}#${shard}`,
  /**
   * A project watch's link in its organisation's partition: without it, nobody in the organisation
   * could find (or end) a watch that mails a private project's news to some address. Its prefix is
   * not `PROJECT#`, so project listings never see it. The organisation knows a watch by the link's
   * random `watchId` only, never by the subscription id in this key (derived from the address).
   */
  projectWatch: (org: string, projectId: string, id: string) => ({
    pk: keys.organisation(org),
    sk: `${projectWatchPrefix(projectId)}${id}`,
  }),
}

/** Sort-key prefix of one project's watch links (`subscriptionKeys.projectWatch`). */
export const projectWatchPrefix = (projectId: string) => `WATCH#${projectId}#`

/** The partition of one import job, and the sort-key prefixes of its file chunks and failures. */
export const importPartition = (id: string) => `IMPORT#${id}`
export const IMPORT_FILE_PREFIX = 'FILE#'
export const IMPORT_FAILURES_PREFIX = 'FAILED#'

/** Sort-key prefix of the projects in an organisation's partition. */
export const PROJECT_SORT_PREFIX = 'PROJECT#'

/** Sort key of the review indexes: oldest first, the id breaking ties (so it is unique). */
export function reviewSortKey(createdAt: string, id: string): string {
  return `${createdAt}#${id}`
}

export function auditSortKey(seq: number): string {
  return `SEQ#${String(seq).padStart(12, '0')}`
}

/** CreateTable input for DynamoDB Local and tests (on-demand, as in AWS). */
export function createTableInput(tableName: string) {
  const attributes = new Map<string, AttributeType>()
  const add = (attribute: KeyAttribute) => attributes.set(attribute.name, attribute.type)
  add(TABLE_KEYS.partitionKey)
  add(TABLE_KEYS.sortKey)
  for (const index of Object.values(INDEXES)) {
    add(index.partitionKey)
    add(index.sortKey)
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey.name, KeyType: 'HASH' as const },
      { AttributeName: TABLE_KEYS.sortKey.name, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: Object.entries(INDEXES).map(([IndexName, index]) => ({
      IndexName,
      KeySchema: [
        { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey.name, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  }
}
