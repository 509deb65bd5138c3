import { type ExpirySummary, expireInstruments } from '../../shared/catalogue/expiry/expire-instruments'
import type { InstrumentStore } from '../../shared/catalogue/store/instrument-store'
import type { Logger } from '../../shared/platform/logger'
import type { Clock } from '../../shared/platform/time'
import { type IntervalTimer, startIntervalTimer } from './interval-timer'

export type ExpiryTimer = IntervalTimer<ExpirySummary>

/**
 * The local server's stand-in for the scheduled Lambda: runs the expiry job every `intervalSeconds`
 * (0 disables the timer), never two runs at once. A failed run is logged and retried next tick.
 */
export function startExpiryTimer(options: {
  store: InstrumentStore
  clock: Clock
  logger: Logger
  intervalSeconds: number
}): ExpiryTimer {
  return startIntervalTimer({
    run: () => expireInstruments(options),
    intervalMs: options.intervalSeconds * 1000,
    logger: options.logger,
    failureMessage: 'expiry run failed',
  })
}
