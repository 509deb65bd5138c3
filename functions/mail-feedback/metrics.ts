/** Where the feedback function's Powertools metrics land: its handler and its function's environment. */
export const FEEDBACK_METRICS = {
  namespace: 'fundfinder',
  /** Powertools' `service` dimension. */
  service: 'fundfinder-mail-feedback',
} as const
