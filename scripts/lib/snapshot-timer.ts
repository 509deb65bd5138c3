import { type PublishSummary, publishSnapshot } from '../../shared/catalogue/snapshot/publish-snapshot'
import type { SnapshotStore } from '../../shared/catalogue/snapshot/snapshot-store'
import type { InstrumentStore } from '../../shared/catalogue/store/instrument-store'
import type { Logger } from '../../shared/platform/logger'
import type { Clock } from '../../shared/platform/time'
import { type IntervalTimer, startIntervalTimer } from './interval-timer'

/** `runNow` publishes if the catalogue moved since the last publish (or waits for the run in progress). */
export type SnapshotTimer = IntervalTimer<PublishSummary>

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
  const publishIfMoved = async () => {
    if ((await options.store.catalogueVersion()) === published) return undefined
    const summary = await publishSnapshot(options)
    published = summary.version
    return summary
  }
  return startIntervalTimer({
    run: publishIfMoved,
    intervalMs: options.intervalMs,
    logger: options.logger,
    failureMessage: 'catalogue snapshot publish failed',
  })
}
