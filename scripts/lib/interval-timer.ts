import type { Logger } from '../../shared/platform/logger'

export interface IntervalTimer<Result> {
  /** Runs the job now (or waits for the run in progress) and returns its result. */
  runNow(): Promise<Result | undefined>
  /** Stops the timer and waits for the run in progress. */
  stop(): Promise<void>
}

/**
 * How the local server stands in for a job that AWS runs on a schedule or a trigger: `run` every
 * `intervalMs` (0 disables the timer, `runNow` still works), never two runs at once. A failed run
 * is logged as `failureMessage` and tried again at the next tick; the timer never keeps the
 * process alive.
 */
export function startIntervalTimer<Result>(options: {
  run: () => Promise<Result | undefined>
  intervalMs: number
  logger: Logger
  failureMessage: string
}): IntervalTimer<Result> {
  let running: Promise<Result | undefined> | undefined
  const runNow = () => {
    running ??= options
      .run()
      .catch((error: unknown) => {
        options.logger.error(options.failureMessage, {
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
  const timer = options.intervalMs > 0 ? setInterval(() => void runNow(), options.intervalMs) : undefined
  timer?.unref()
  return {
    runNow,
    stop: async () => {
      if (timer) clearInterval(timer)
      await running
    },
  }
}
