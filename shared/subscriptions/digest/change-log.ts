import type { InstrumentRecord } from '../../catalogue/instrument'
import { CatalogueIndex } from '../../catalogue/search/catalogue-index'
import type { AuditAction, AuditEvent, InstrumentStore } from '../../catalogue/store/instrument-store'

/** Changes that can bring an instrument into a subscription's match: a new, edited or restored one. */
const MATCHING_ACTIONS: ReadonlySet<AuditAction> = new Set(['created', 'updated', 'restored'])

/**
 * The catalogue's change log as one digest run sees it: the events up to the snapshot's version,
 * read once from the oldest watermark any subscription asks for, and, per watermark, the instruments
 * changed after it as a small search index. Subscriptions of one schedule share a handful of
 * watermarks, so a run reads the log once and builds a handful of small indexes.
 */
export class ChangeLog {
  private loadedFrom = Number.POSITIVE_INFINITY
  private events: AuditEvent[] = []
  private loading: Promise<void> = Promise.resolve()
  private readonly indexes = new Map<number, Promise<CatalogueIndex>>()

  constructor(
    private readonly store: Pick<InstrumentStore, 'changesSince'>,
    /** The catalogue version of the run's snapshot: later events are left for the next run. */
    private readonly upTo: number,
    private readonly live: ReadonlyMap<string, InstrumentRecord>,
  ) {}

  /** The live instruments created, changed or restored after `watermark`, as a search index. */
  changedAfter(watermark: number): Promise<CatalogueIndex> {
    let index = this.indexes.get(watermark)
    if (!index) {
      index = this.build(watermark)
      this.indexes.set(watermark, index)
    }
    return index
  }

  private async build(watermark: number): Promise<CatalogueIndex> {
    if (watermark >= this.upTo) return CatalogueIndex.build([])
    await this.ensureLoaded(watermark)
    const ids = new Set<string>()
    for (const event of this.events) {
      if (event.seq > watermark && MATCHING_ACTIONS.has(event.action)) ids.add(event.instrumentId)
    }
    const records: InstrumentRecord[] = []
    for (const id of ids) {
      const record = this.live.get(id)
      if (record) records.push(record)
    }
    return CatalogueIndex.build(records)
  }

  private ensureLoaded(watermark: number): Promise<void> {
    // Loads are chained, so concurrent callers never read the same stretch of the log twice.
    this.loading = this.loading.then(async () => {
      if (watermark >= this.loadedFrom) return
      const older = await this.store.changesSince(watermark)
      this.events = older.filter((event) => event.seq <= this.upTo)
      this.loadedFrom = watermark
    })
    return this.loading
  }
}
