import { type Instrument, type InstrumentRecord, isExpired, toPublicInstrument } from '../instrument'
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
   * serving a catalogue up to this much out of date.
   */
  maxStalenessMs?: number
  /** More changes than this since the loaded version are applied by a full reload rather than replayed. */
  fullReloadAfterChanges?: number
  /** Monotonic milliseconds, for the staleness window (injectable for tests). */
  monotonicNow?: () => number
}

export interface CatalogueStats {
  version: number
  size: number
  fullLoads: number
  deltaLoads: number
}

/**
 * The live catalogue as this process sees it: an in-memory `CatalogueIndex` kept fresh against
 * DynamoDB so that a search costs one small strongly consistent read (the catalogue version item,
 * 1 RCU) however large the catalogue is.
 *
 * - First use loads the whole catalogue (one Query of the `CATALOGUE` partition).
 * - When the version moved, the change log since the loaded version names the changed ids; only
 *   those are read again (BatchGet; an id not found was removed). A large gap reloads everything.
 * - Refreshes are single-flight: concurrent callers share one refresh, and each caller waits until
 *   the catalogue is at least as new as the version it read, so a write that completed before a
 *   request started is always visible to it (with the default `maxStalenessMs` of 0).
 */
export class LiveCatalogue {
  private index: CatalogueIndex | undefined
  private readonly records = new Map<string, InstrumentRecord>()
  private version = -1
  private refreshing: Promise<void> | undefined
  private checkedAt = Number.NEGATIVE_INFINITY
  private fullLoads = 0
  private deltaLoads = 0
  private readonly maxStalenessMs: number
  private readonly fullReloadAfterChanges: number
  private readonly monotonicNow: () => number

  constructor(
    private readonly store: InstrumentStore,
    options: LiveCatalogueOptions = {},
  ) {
    this.maxStalenessMs = options.maxStalenessMs ?? 0
    this.fullReloadAfterChanges = options.fullReloadAfterChanges ?? 500
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
    if (this.index && started - this.checkedAt < this.maxStalenessMs) return this.index
    const latest = await this.store.catalogueVersion()
    if (this.index && latest < this.version) {
      // The table went back in time (recreated or restored): start again from scratch.
      await this.singleFlight(() => this.reload())
    }
    while (!this.index || this.version < latest) await this.singleFlight(() => this.refresh())
    this.checkedAt = Math.max(this.checkedAt, started)
    return this.index
  }

  stats(): CatalogueStats {
    return {
      version: this.version,
      size: this.records.size,
      fullLoads: this.fullLoads,
      deltaLoads: this.deltaLoads,
    }
  }

  private singleFlight(work: () => Promise<void>): Promise<void> {
    this.refreshing ??= work().finally(() => {
      this.refreshing = undefined
    })
    return this.refreshing
  }

  private async refresh(): Promise<void> {
    if (!this.index) return this.reload()
    const changes = await this.store.changesSince(this.version)
    // No events although the version moved means the log cannot explain the change: reload.
    if (changes.length === 0 || changes.length > this.fullReloadAfterChanges) return this.reload()
    const ids = [...new Set(changes.map((change) => change.instrumentId))]
    const current = await this.store.getMany(ids)
    for (const id of ids) this.records.delete(id)
    for (const record of current) this.records.set(record.id, record)
    this.version = Math.max(this.version, ...changes.map((change) => change.seq))
    this.index = this.index.withChanges(current, ids)
    this.deltaLoads += 1
  }

  private async reload(): Promise<void> {
    const { version, records } = await this.store.loadCatalogue()
    this.records.clear()
    for (const record of records) this.records.set(record.id, record)
    this.version = version
    this.index = CatalogueIndex.build(records)
    this.fullLoads += 1
  }
}
