/**
 * Where the expiry job's Powertools metrics land, defined once: the handler publishes them, the
 * stack's alarms and dashboard read them, and the bundle test checks the deployed bundle's output.
 */
export const EXPIRY_METRICS = {
  namespace: 'fundfinder',
  /** Powertools' `service` dimension. */
  service: 'fundfinder-expiry',
  names: {
    /** Instruments moved to the archive by one run. */
    archived: 'InstrumentsArchived',
    /** Expired instruments one run could not archive (or 1 when the run itself failed). */
    failures: 'ExpiryFailures',
    /** 1 for a run that archived everything it found, 0 for one that failed: the heartbeat. */
    succeeded: 'ExpirySucceeded',
  },
} as const
