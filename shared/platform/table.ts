/**
 * The one definition of the DynamoDB table: keys, indexes and the TTL attribute. The local
 * bootstrap (`createTableInput`) and the CDK stack both build the table from this, so they
 * cannot drift apart.
 *
 * Item layout (single table):
 * | item                     | pk           | sk                  | notes                                  |
 * | ------------------------ | ------------ | ------------------- | -------------------------------------- |
 * | live instrument          | `CATALOGUE`  | `INST#<id>`         | `expiresAt` (number) when it has a deadline |
 * | archived instrument      | `ARCHIVE`    | `INST#<id>`         | `archivedAt`, `reason`, `ttl`          |
 * | catalogue version        | `META`       | `CATALOGUE`         | `version`: bumped by every change      |
 * | audit event / change log | `AUDIT`      | `SEQ#<12-digit seq>`| `seq` = catalogue version it created   |
 * | external id claim        | `EXTERNAL`   | `<externalId>`      | `id`: keeps externalIds unique         |
 * | project (portfolio)      | `ORG#<org>`  | `PROJECT#<id>`      | private to the org in the caller's token |
 * | import job               | `IMPORT#<id>`| `JOB`               | state, progress, counts; `ttl`         |
 * | import job's file        | `IMPORT#<id>`| `FILE#<4-digit n>`  | the upload, gzip, in chunks; `ttl`     |
 * | import job's failures    | `IMPORT#<id>`| `FAILED#<6-digit i>`| failed records of the part from record i; `ttl` |
 *
 * The live catalogue sits in one partition so that it can be read with one strongly consistent
 * Query (search instances load it into memory) and never needs a Scan. A project's organisation is
 * its partition key, so every project read or write is scoped by the caller's organisation in the
 * key itself: another organisation's project simply does not exist for the caller. Projects carry
 * none of the index attributes (`expiresAt`, `archivedAt`, `instrumentId`), so no index sees them.
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
} as const satisfies Record<string, IndexDefinition>

export type IndexName = keyof typeof INDEXES

/** Index names for queries and IAM grants (`INDEX.liveByExpiry`): checked, never a string literal. */
export const INDEX: { readonly [Name in IndexName]: Name } = {
  liveByExpiry: 'liveByExpiry',
  archiveByTime: 'archiveByTime',
  auditByInstrument: 'auditByInstrument',
}

export const PARTITIONS = {
  catalogue: 'CATALOGUE',
  archive: 'ARCHIVE',
  meta: 'META',
  audit: 'AUDIT',
  external: 'EXTERNAL',
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

/** The partition of one import job, and the sort-key prefixes of its file chunks and failures. */
export const importPartition = (id: string) => `IMPORT#${id}`
export const IMPORT_FILE_PREFIX = 'FILE#'
export const IMPORT_FAILURES_PREFIX = 'FAILED#'

/** Sort-key prefix of the projects in an organisation's partition. */
export const PROJECT_SORT_PREFIX = 'PROJECT#'

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
