import { type PublishSummary, publishSnapshot } from '../../shared/catalogue/snapshot/publish-snapshot'
import type { SnapshotStore } from '../../shared/catalogue/snapshot/snapshot-store'
import type { InstrumentStore } from '../../shared/catalogue/store/instrument-store'
import type { Logger } from '../../shared/platform/logger'
import type { Clock } from '../../shared/platform/time'

export interface SnapshotTimer {
  /** Publishes now if the catalogue moved since the last publish (or waits for the run in progress). */
  runNow(): Promise<PublishSummary | undefined>
  stop(): Promise<void>
}

/**
 * The local server's stand-in for the stream-triggered publisher: every `intervalMs` it reads the
 * catalogue version (one small read) and publishes a snapshot when it moved, so a burst of writes,
 * from this process or another (`npm run import`), makes one publish, as the stream's batching
 * window does in AWS. Never two runs at once; a failed run is logged and retried next tick.
 */
export function startSnapshotTimer(options: {
  store: InstrumentStore
  snapshots: SnapshotStore
  clock: Clock
  logger: Logger
  intervalMs: number
}): SnapshotTimer {
  let published = -1
  let running: Promise<PublishSummary | undefined> | undefined
  const publishIfMoved = async () => {
    if ((await options.store.catalogueVersion()) === published) return undefined
    const summary = await publishSnapshot(options)
    published = summary.version
    return summary
  }
  const runNow = () => {
    running ??= publishIfMoved()
      .catch((error: unknown) => {
        options.logger.error('catalogue snapshot publish failed', {
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
