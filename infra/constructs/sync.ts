import { Duration, type RemovalPolicy } from 'aws-cdk-lib'
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb'
import type { RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { Construct } from 'constructs'
import { SYNC_METRICS } from '../../functions/sync-instruments/metrics'
import { ENTRIES } from '../bundling'
import type { AlarmTopic } from './alarm-topic'
import { ScheduledFunction } from './scheduled-function'

/** No successful sync for this long raises the heartbeat alarm (daily runs: two missed days). */
export const SYNC_HEARTBEAT = { period: Duration.hours(6), periods: 8 } as const

export interface CatalogueSyncProps {
  table: ITableV2
  alarms: AlarmTopic
  logRetention: RetentionDays
  logRemovalPolicy: RemovalPolicy
  logLevel: string
  archiveRetentionDays: number
  /** Sent in the sync's User-Agent: where whoever runs this deployment can be reached (its site). */
  contactUrl: string
}

/**
 * The daily sync of the EU Funding & Tenders Portal into the catalogue: a function with outbound
 * HTTPS only (no VPC) and item-level read/write on the table, run by EventBridge Scheduler every
 * morning in Brussels; failed runs (an incomplete read throws) are retried by Lambda, then land in
 * a dead-letter queue. Alarms: any failed run, a message in the dead-letter queue, and a
 * heartbeat, "no successful sync in 48 hours", which also fires when the function never runs at
 * all (missing data is breaching).
 */
export class CatalogueSync extends ScheduledFunction {
  constructor(scope: Construct, id: string, props: CatalogueSyncProps) {
    super(scope, id, {
      name: 'Sync',
      function: {
        entry: ENTRIES.syncInstruments,
        description: 'fundfinder: syncs calls from the EU Funding & Tenders Portal',
        memorySize: 1024,
        // Ten pages with pauses take seconds; a slow portal with retries and backoff on every page can
        // take minutes. The whole run must fit in one invocation.
        timeout: Duration.minutes(15),
        logRetention: props.logRetention,
        logRemovalPolicy: props.logRemovalPolicy,
        environment: {
          ARCHIVE_RETENTION_DAYS: String(props.archiveRetentionDays),
          LOG_LEVEL: props.logLevel,
          SYNC_CONTACT_URL: props.contactUrl,
        },
      },
      metrics: SYNC_METRICS,
      maxEventAge: Duration.hours(6),
      schedules: [
        {
          id: 'Schedule',
          description: 'Sync calls from the EU Funding & Tenders Portal',
          // Early morning in Brussels: the portal's overnight updates are in, editors start the day with them.
          cron: { minute: '17', hour: '5' },
        },
      ],
      alarms: props.alarms,
      heartbeat: {
        metricName: SYNC_METRICS.names.succeeded,
        period: SYNC_HEARTBEAT.period,
        periods: SYNC_HEARTBEAT.periods,
        description: 'No successful sync of the EU Funding & Tenders Portal in 48 hours',
      },
    })
    // Reads by key (BatchGet), the live catalogue partition (Query), audited transactions: no index.
    this.function.bindTable(props.table, 'readWrite', [])
  }
}
