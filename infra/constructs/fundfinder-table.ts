import { RemovalPolicy } from 'aws-cdk-lib'
import { AttributeType, Billing, ProjectionType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb'
import { Construct } from 'constructs'
import {
  INDEXES,
  INDEXES_ADDED_LATER,
  type KeyAttribute,
  type AttributeType as KeyType,
  TABLE_KEYS,
  TTL_ATTRIBUTE,
} from '../../shared/platform/table'

export interface FundfinderTableProps {
  /** Production: deletion protection on and the table survives stack deletion. */
  retainData: boolean
  /**
   * Upgrading an existing table: how many of `INDEXES_ADDED_LATER` to include (CloudFormation adds
   * one index per update). Undefined: all of them.
   */
  maxNewIndexes?: number | undefined
}

const ATTRIBUTE_TYPES: Record<KeyType, AttributeType> = { S: AttributeType.STRING, N: AttributeType.NUMBER }

const toAttribute = (key: KeyAttribute) => ({ name: key.name, type: ATTRIBUTE_TYPES[key.type] })

function includedIndexes(maxNewIndexes: number | undefined) {
  const left = new Set<string>(INDEXES_ADDED_LATER.slice(maxNewIndexes ?? INDEXES_ADDED_LATER.length))
  return Object.entries(INDEXES).filter(([indexName]) => !left.has(indexName))
}

/**
 * The catalogue table, built from the one definition in `shared/platform/table.ts` (the same one the local
 * bootstrap uses), so keys, indexes and the TTL attribute cannot drift between AWS and tests.
 */
export class FundfinderTable extends Construct {
  readonly table: TableV2

  constructor(scope: Construct, id: string, props: FundfinderTableProps) {
    super(scope, id)
    this.table = new TableV2(this, 'Table', {
      partitionKey: toAttribute(TABLE_KEYS.partitionKey),
      sortKey: toAttribute(TABLE_KEYS.sortKey),
      // On-demand: a catalogue has spiky, mostly idle traffic and costs nothing at rest.
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // The snapshot publisher watches the catalogue version item; keys are all it needs.
      dynamoStream: StreamViewType.KEYS_ONLY,
      globalSecondaryIndexes: includedIndexes(props.maxNewIndexes).map(([indexName, index]) => ({
        indexName,
        partitionKey: toAttribute(index.partitionKey),
        sortKey: toAttribute(index.sortKey),
        projectionType: ProjectionType.ALL,
      })),
      deletionProtection: props.retainData,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    })
  }
}
