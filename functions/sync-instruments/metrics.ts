/**
 * Where the sync's Powertools metrics land, defined once: the handler publishes them, the heartbeat
 * alarm (infra/constructs/sync.ts) watches them, and the bundle test checks the bundle's output.
 */
export const SYNC_METRICS = {
  namespace: 'fundfinder',
  /** Powertools' `service` dimension. */
  service: 'fundfinder-sync',
  names: {
    /** 1 for a run that read the portal completely: the heartbeat. */
    succeeded: 'SyncSucceeded',
  },
} as const
