import { AsyncLocalStorage } from 'node:async_hooks'
import type { Logger } from '../../platform/logger'
import { type Instrument, isExpired, toPublicInstrument } from '../instrument'
import { type CatalogueBase, catchUp } from '../snapshot/catch-up'
import { parseRecords, type StoredSnapshot } from '../snapshot/snapshot-format'
import type { SnapshotReader } from '../snapshot/snapshot-store'
import type { InstrumentStore } from '../store/instrument-store'
import { CatalogueIndex } from './catalogue-index'
import { type MatchResult, matchInstruments } from './match-instruments'
import { type SearchResult, searchInstruments } from './search-instruments'
import type { MatchCriteria, SearchCriteria } from './search-query'

export interface LiveCatalogueOptions {
  /**
   * How long a checked version may be trusted without reading it again, in ms. 0 (the default)
   * reads the catalogue version on every call, so a write is visible to the very next search
   * anywhere; a positive value saves that read (1 RCU) for up to this long, at the price of
   * serving a catalogue up to this much out of date (except to a caller that demands freshness,
   * `withFreshness`).
   */
  maxStalenessMs?: number
  /** More changes than this since the loaded version are applied by a full reload rather than replayed. */
  fullReloadAfterChanges?: number
  /**
   * Where a (re)load starts from: a published snapshot, caught up from the change log. Without one,
   * or when it cannot be used, a load reads the whole catalogue partition.
   */
  snapshots?: SnapshotReader | undefined
  /**
   * Changes a snapshot may be behind and still be used (each 100 changed ids cost a BatchGet), so
   * that a cold start stays within a handful of DynamoDB requests.
   */
  maxSnapshotReplay?: number
  logger?: Logger
  /** Monotonic milliseconds, for the staleness window (injectable for tests). */
  monotonicNow?: () => number
}

export interface CatalogueStats {
  version: number
  size: number
  fullLoads: number
  snapshotLoads: number
  deltaLoads: number
}

/** What a request needs from the catalogue beyond the staleness bound. */
export interface FreshnessDemand {
  /** The catalogue must be at least at this version (one the caller wrote, or saw). */
  minVersion?: number | undefined
  /** Read the catalogue version now, whatever the staleness window says (an editor's request). */
  checkNow?: boolean | undefined
}

const demands = new AsyncLocalStorage<FreshnessDemand>()

/**
 * Runs `work` so that every catalogue read inside it (awaited calls included) meets `demand`: the
 * staleness window is for anonymous readers; an editor must see their own change on their next
 * request, whichever instance serves it.
 */
export function withFreshness<T>(demand: FreshnessDemand, work: () => T): T {
  return demands.run(demand, work)
}

/**
 * The live catalogue as this process sees it: an in-memory `CatalogueIndex` kept fresh against
 * DynamoDB so that a search costs one small strongly consistent read (the catalogue version item,
 * 1 RCU) however large the catalogue is, and none at all within `maxStalenessMs`.
 *
 * - A load starts from the published snapshot (one S3 read, in parallel with reading the version)
 *   and replays the change log since its version. A snapshot that is missing, corrupt, of another
 *   table or too far behind is ignored (logged once per snapshot and reason) for a full load: one
 *   Query of the `CATALOGUE` partition.
 * - When the version moved, the change log since the loaded version names the changed ids; only
 *   those are read again (BatchGet; an id not found was removed) and applied to the index without
 *   rebuilding it. A large gap reloads.
 * - Refreshes are single-flight: concurrent callers share one refresh, and each caller waits until
 *   the catalogue is at least as new as the version it read, so a write that completed before a
 *   request started is always visible to it (with `maxStalenessMs` 0, or a freshness demand).
 */
export class LiveCatalogue {
  private index: CatalogueIndex | undefined
  private base: CatalogueBase = { version: -1 }
  private refreshing: Promise<void> | undefined
  private checkedAt = Number.NEGATIVE_INFINITY
  private fullLoads = 0
  private snapshotLoads = 0
  private deltaLoads = 0
  private readonly ignoredSnapshots = new Set<string>()
  private readonly maxStalenessMs: number
  private readonly fullReloadAfterChanges: number
  private readonly maxSnapshotReplay: number
  private readonly monotonicNow: () => number

  constructor(
    private readonly store: InstrumentStore,
    private readonly options: LiveCatalogueOptions = {},
  ) {
    this.maxStalenessMs = options.maxStalenessMs ?? 0
    this.fullReloadAfterChanges = options.fullReloadAfterChanges ?? 500
    this.maxSnapshotReplay = options.maxSnapshotReplay ?? 300
    this.monotonicNow = options.monotonicNow ?? (() => performance.now())
  }

  /** Searches the live catalogue (see `searchInstruments`). */
  async search(criteria: SearchCriteria, now: Date): Promise<SearchResult> {
    return searchInstruments(await this.current(), criteria, now)
  }

  /** Ranks the live catalogue for a project's features (see `matchInstruments`). */
  async match(request: MatchCriteria, now: Date): Promise<MatchResult> {
    return matchInstruments(await this.current(), request, now)
  }

  /** Every instrument open or forthcoming at `now`, in name order. */
  async all(now: Date): Promise<Instrument[]> {
    const index = await this.current()
    const instruments: Instrument[] = []
    for (const position of index.order.name) {
      const record = index.record(position)
      if (!isExpired(record, now)) instruments.push(toPublicInstrument(record, now))
    }
    return instruments
  }

  /** The fresh projection, for callers that run several searches on one consistent snapshot. */
  async current(): Promise<CatalogueIndex> {
    const started = this.monotonicNow()
    const demand = demands.getStore()
    if (this.index && this.trusted(started, demand)) return this.index
    if (!this.index) {
      await this.singleFlight(() => this.load())
      // The load read the version after this call began: nothing newer to look for.
      if (this.index && this.checkedAt >= started) return this.index
    }
    const latest = await this.store.catalogueVersion()
    if (this.index && latest < this.base.version) {
      // The table went back in time (recreated or restored): start again from scratch.
      await this.singleFlight(() => this.load())
    }
    while (!this.index || this.base.version < latest) await this.singleFlight(() => this.refresh(latest))
    this.checkedAt = Math.max(this.checkedAt, started)
    return this.index
  }

  stats(): CatalogueStats {
    return {
      version: this.base.version,
      size: this.index?.count ?? 0,
      fullLoads: this.fullLoads,
      snapshotLoads: this.snapshotLoads,
      deltaLoads: this.deltaLoads,
    }
  }

  private trusted(started: number, demand: FreshnessDemand | undefined): boolean {
    // Someone read the version after this call began.
    if (this.checkedAt >= started) return true
    if (demand?.checkNow) return false
    if (demand?.minVersion !== undefined && this.base.version < demand.minVersion) return false
    return started - this.checkedAt < this.maxStalenessMs
  }

  private singleFlight(work: () => Promise<void>): Promise<void> {
    this.refreshing ??= work().finally(() => {
      this.refreshing = undefined
    })
    return this.refreshing
  }

  private async refresh(latest: number): Promise<void> {
    if (!this.index || this.base.version >= latest) return this.index ? undefined : this.load()
    const caught = await catchUp(this.store, this.base, latest, this.fullReloadAfterChanges)
    if (!caught.ok) return this.load()
    this.index = this.index.withChanges(caught.current, caught.changedIds)
    this.base = { version: caught.version, lastEvent: caught.lastEvent }
    this.deltaLoads += 1
  }

  private async load(): Promise<void> {
    const checked = this.monotonicNow()
    if (this.options.snapshots) {
      const [latest, read] = await Promise.all([
        this.store.catalogueVersion(),
        this.options.snapshots.readLatest(),
      ])
      if (read.snapshot) {
        const caught = await catchUp(this.store, read.snapshot, latest, this.maxSnapshotReplay)
        if (caught.ok) {
          try {
            this.index = this.indexOf(read.snapshot, read.key).withChanges(caught.current, caught.changedIds)
            this.base = { version: caught.version, lastEvent: caught.lastEvent }
            this.checkedAt = Math.max(this.checkedAt, checked)
            this.snapshotLoads += 1
            this.logLoad('snapshot', checked, read.snapshot.recordTexts.length, caught.changedIds.length)
            return
          } catch (error) {
            // Records that do not parse: only a publisher bug gets past the checksum, but still never served.
            this.ignoreSnapshot(read.key, error instanceof Error ? error.message : String(error))
          }
        } else this.ignoreSnapshot(read.key, caught.reason)
      } else {
        this.ignoreSnapshot(read.key, read.reason)
      }
    }
    const { version, records } = await this.store.loadCatalogue()
    this.index = CatalogueIndex.build(records)
    this.base = { version }
    this.checkedAt = Math.max(this.checkedAt, checked)
    this.fullLoads += 1
    this.logLoad('table', checked, records.length, 0)
  }

  private logLoad(source: 'snapshot' | 'table', started: number, records: number, replayed: number): void {
    this.options.logger?.info('catalogue loaded', {
      source,
      version: this.base.version,
      records,
      replayed,
      durationMs: Math.round(this.monotonicNow() - started),
    })
  }

  /** The snapshot's prebuilt index when it fits this code, else one built from its records. */
  private indexOf(snapshot: StoredSnapshot, key: string): CatalogueIndex {
    if (snapshot.index) {
      try {
        return CatalogueIndex.fromPrebuilt(snapshot.recordTexts, snapshot.index)
      } catch (error) {
        this.options.logger?.warn('catalogue snapshot index not used; building it from the records', {
          snapshot: key,
          reason: error instanceof Error ? error.message : String(error),
        })
      }
    }
    return CatalogueIndex.build(parseRecords(snapshot))
  }

  private ignoreSnapshot(key: string | undefined, reason: string): void {
    const seen = `${key ?? ''}\u0000${reason}`
    if (this.ignoredSnapshots.has(seen)) return
    this.ignoredSnapshots.add(seen)
    this.options.logger?.warn('catalogue snapshot not used; loading the whole catalogue from the table', {
      snapshot: key,
      reason,
    })
  }
}
