import { type ExpirySummary, expireInstruments } from '../../shared/catalogue/expiry/expire-instruments'
import type { InstrumentStore } from '../../shared/catalogue/store/instrument-store'
import type { Logger } from '../../shared/platform/logger'
import type { Clock } from '../../shared/platform/time'

export interface ExpiryTimer {
  /** Runs the job now (or waits for the run in progress) and returns its summary. */
  runNow(): Promise<ExpirySummary | undefined>
  stop(): Promise<void>
}

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
  let running: Promise<ExpirySummary | undefined> | undefined
  const runNow = () => {
    running ??= expireInstruments(options)
      .catch((error: unknown) => {
        options.logger.error('expiry run failed', {
          error: error instanceof Error ? error.name : String(error),
          detail: error instanceof Error ? error.message : undefined,
        })
        return undefined
      })
      .finally(() => {
        running = undefined
      })
    return running
  }
  const timer =
    options.intervalSeconds > 0 ? setInterval(() => void runNow(), options.intervalSeconds * 1000) : undefined
  timer?.unref()
  return {
    runNow,
    stop: async () => {
      if (timer) clearInterval(timer)
      await running
    },
  }
}
