import type { Logger } from '../../platform/logger'
import type { Clock } from '../../platform/time'
import { InstrumentNotFound, VersionConflict } from '../errors'
import { type InstrumentRecord, isExpired } from '../instrument'
import type { InstrumentStore } from '../store/instrument-store'

/** What one run did. `scanned` counts index entries read, whatever became of them. */
export interface ExpirySummary {
  /** The instant the run read the index at: everything that had expired by then was considered. */
  at: string
  scanned: number
  archived: number
  /** Not archived, rightly: changed or archived meanwhile, or not expired after all (stale index entry). */
  skipped: number
  /**
   * Not archived because of an error: one the store's own retries did not overcome (contention,
   * throttling) or any other. The run does not retry it; the next run tries again.
   */
  failed: number
  /** False when `shouldContinue` stopped the run before the index was exhausted. */
  complete: boolean
  durationMs: number
}

export interface ExpireInstrumentsOptions {
  store: InstrumentStore
  clock: Clock
  logger: Logger
  /** Index entries read per Query page. */
  pageSize?: number
  /**
   * Moves in flight at once. Every move bumps the one catalogue-version item, so moves serialise on
   * it anyway; a little concurrency only overlaps one move's reads with another's commit.
   */
  concurrency?: number
  /** Who the audit trail names as having archived the instruments. */
  actor?: string
  /** Asked before each page; returning false ends the run early (a Lambda near its timeout). */
  shouldContinue?: () => boolean
}

export const EXPIRY_ACTOR = 'system:expiry'

type MoveOutcome = 'archived' | 'skipped' | 'failed'

/**
 * Moves every live instrument whose deadline has passed into the archive, one transaction per
 * instrument (archive record + delete of the live item + audit event `expired` + catalogue-version
 * bump, conditioned on the version read). Reads only the sparse `liveByExpiry` index up to now, so
 * its cost follows the number of expired instruments, not the size of the catalogue.
 *
 * Safe to run at any time and any number of times, concurrently with editors and with itself: an
 * item is archived only if the version that was checked to be expired is still the live one.
 *
 * Retries nothing itself: the catalogue transaction engine retries a contended or throttled move
 * (at most `COMMIT_RETRY.maxAttempts` transactions, see ../store/catalogue-transaction.ts) and the
 * SDK a throttled read. Retrying here as well would multiply those bounds. A move given up on counts
 * as `failed` and is left to the next run; a page read given up on fails the run (the scheduler
 * retries it).
 */
export async function expireInstruments(options: ExpireInstrumentsOptions): Promise<ExpirySummary> {
  const { store, clock, logger } = options
  const pageSize = options.pageSize ?? 100
  const concurrency = Math.max(1, options.concurrency ?? 2)
  const actor = options.actor ?? EXPIRY_ACTOR
  const started = performance.now()
  const at = clock.now()
  const summary = { scanned: 0, archived: 0, skipped: 0, failed: 0 }
  let complete = true

  const move = async (record: InstrumentRecord): Promise<MoveOutcome> => {
    const now = clock.now()
    // The index is eventually consistent and its key is only a hint: decide from the record itself.
    // The archive is conditioned on this record's version, so what was checked is what is archived.
    if (!isExpired(record, now)) return 'skipped'
    try {
      await store.archive(record.id, {
        expectedVersion: record.version,
        reason: 'expired',
        actor,
        now,
        current: record,
      })
      return 'archived'
    } catch (error) {
      if (error instanceof VersionConflict || error instanceof InstrumentNotFound) {
        // An editor changed it (it comes back in a later run if still expired) or a previous run
        // already archived it and the index has not caught up yet.
        logger.debug('expiry skipped a changed instrument', { instrumentId: record.id, reason: error.name })
        return 'skipped'
      }
      logger.error('expiry failed to archive an instrument', {
        instrumentId: record.id,
        error: errorName(error),
        detail: error instanceof Error ? error.message : String(error),
      })
      return 'failed'
    }
  }

  let cursor: string | undefined
  do {
    if (options.shouldContinue && !options.shouldContinue()) {
      complete = false
      break
    }
    const page = await store.listExpiredBy(at.getTime(), { limit: pageSize, cursor })
    summary.scanned += page.items.length
    for (const outcome of await mapWithConcurrency(page.items, concurrency, move)) summary[outcome] += 1
    cursor = page.nextCursor
  } while (cursor)

  const result: ExpirySummary = {
    at: at.toISOString(),
    ...summary,
    complete,
    durationMs: Math.round(performance.now() - started),
  }
  // A quiet run (nothing due) is routine on a minute timer; only runs that changed something are news.
  if (result.archived > 0 || result.failed > 0) logger.info('expiry run finished', { ...result })
  else logger.debug('expiry run finished', { ...result })
  return result
}

async function mapWithConcurrency<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
  return results
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error
}
