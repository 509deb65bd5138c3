/**
 * Where the digest job's Powertools metrics land, defined once: the handler publishes them, the
 * alarms (infra/constructs/digests.ts) watch them, and the bundle test checks the bundle's output.
 */
export const DIGEST_METRICS = {
  namespace: 'fundfinder',
  /** Powertools' `service` dimension. */
  service: 'fundfinder-digests',
  names: {
    /** Digests one run could not send (or 1 when the run itself failed). */
    failures: 'DigestFailures',
  },
} as const
