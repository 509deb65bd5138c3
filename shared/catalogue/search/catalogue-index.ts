import { brusselsDate, brusselsDayStart, deadlineExpiresAt } from '../../platform/time'
import {
  closingsOf,
  INSTRUMENT_KINDS,
  type Instrument,
  type InstrumentRecord,
  type InstrumentStatus,
  isPublished,
  nextClosingIndex,
  ORIGINS,
} from '../instrument'
import { FEATURE_CODES, FEATURE_INDEX, type FeatureCode } from '../taxonomy'
import { forEachTokenId, forgetTokenIdsIfMany, indexTokens, sortableName, tokenOfId } from './index-tokens'
import {
  decodeColumn,
  decodeOrder,
  decodePostings,
  encodeColumn,
  encodeOrder,
  encodePostings,
  INDEX_FORMAT,
  type PrebuiltIndex,
  PrebuiltIndexInvalid,
} from './prebuilt-index'

/**
 * A compact, immutable in-memory projection of the live catalogue, laid out for search: one slot
 * per instrument ("position"), with its features as a 54-bit mask in two uint32 words, its facets
 * as small integers, its deadline as an instant and a Brussels day, and its words in an inverted
 * index over a sorted vocabulary so that a query word matches every word it is a prefix of.
 *
 * Orders (by name, by deadline, by last update) are kept sorted, ties broken by name and then id,
 * so a search sorts its hits by walking an order instead of comparing records.
 *
 * A multiple cut-off call closes more than once: it stays in the catalogue until its last cut-off
 * (`expiresAt`, the deadline order), but searches filter and sort it by its next cut-off. That
 * depends on the request's `now`, so `closing(now)` derives it: the few instruments with cut-offs
 * keep their closings sorted, the next one is a binary search (`nextClosingIndex`, the rule of
 * "closes in N days"), and the derived order is cached until one of those cut-offs passes.
 *
 * `build` costs O(n log n). `withChanges` returns a new index with some instruments added,
 * replaced or removed in O(n + k log n) for k changes (array copies and one merge per order),
 * sharing what did not change: a write does not rebuild the index. A removed instrument leaves
 * its slot empty (never a hit: it expires at -Infinity and is in no order or posting list) until
 * a new instrument takes it, so slots never outnumber the largest catalogue seen.
 */

/** Deadlines and opening days repeat across a catalogue; their time-zone arithmetic is memoised. */
const MEMO_LIMIT = 100_000
const expiryMemo = new Map<string, { expiresAt: number; day: string }>()
const dayStartMemo = new Map<string, number>()
const closingDayMemo = new Map<string, string>()

function memoised<V>(memo: Map<string, V>, key: string, compute: (key: string) => V): V {
  let value = memo.get(key)
  if (value === undefined) {
    value = compute(key)
    if (memo.size >= MEMO_LIMIT) memo.clear()
    memo.set(key, value)
  }
  return value
}

/** The instant a deadline expires and the Brussels day it falls on (a date-time closes at `expiresAt - 1`). */
function deadlineFacts(deadline: string): { expiresAt: number; day: string } {
  return memoised(expiryMemo, deadline, () => {
    const expiry = deadlineExpiresAt(deadline)
    const day = /^\d{4}-\d{2}-\d{2}$/.test(deadline) ? deadline : brusselsDate(new Date(expiry - 1))
    return { expiresAt: expiry, day }
  })
}

/** The Brussels day a closing falls on, from the instant it passes (what `deadlineFacts` calls `day`). */
function closingDay(passesAt: number): string {
  return memoised(closingDayMemo, String(passesAt), () => brusselsDate(new Date(passesAt - 1)))
}

/** The distinct words of an instrument's text; recomputed when needed (a change), never kept. */
function tokensOf(record: InstrumentRecord): Set<string> {
  return indexTokens([record.name, record.description, record.funder, record.programme])
}

export interface FeatureMask {
  lo: number
  hi: number
}

/** Features as bits in taxonomy order: codes 0-31 in `lo`, 32-53 in `hi`. */
export function featureMask(codes: Iterable<string>): FeatureMask {
  let lo = 0
  let hi = 0
  for (const code of codes) {
    const bit = FEATURE_INDEX.get(code)
    if (bit === undefined) continue
    if (bit < 32) lo |= 1 << bit
    else hi |= 1 << (bit - 32)
  }
  return { lo: lo >>> 0, hi: hi >>> 0 }
}

/** The codes of a mask, in taxonomy order. */
export function featureCodesOf(lo: number, hi: number): FeatureCode[] {
  const codes: FeatureCode[] = []
  for (let word = lo; word !== 0; word &= word - 1)
    codes.push(FEATURE_CODES[31 - Math.clz32(word & -word)] as FeatureCode)
  for (let word = hi; word !== 0; word &= word - 1)
    codes.push(FEATURE_CODES[63 - Math.clz32(word & -word)] as FeatureCode)
  return codes
}

export function popcount(word: number): number {
  let value = word - ((word >>> 1) & 0x55555555)
  value = (value & 0x33333333) + ((value >>> 2) & 0x33333333)
  return (((value + (value >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
}

export const ORIGIN_CODE: ReadonlyMap<string, number> = new Map(
  ORIGINS.map((origin, index) => [origin, index]),
)
export const KIND_CODE: ReadonlyMap<string, number> = new Map(
  INSTRUMENT_KINDS.map((kind, index) => [kind, index]),
)

export type SortOrder = 'name' | 'deadline' | 'updated'

/** Everything an index holds, per slot; `withChanges` copies these and edits the copies. */
interface Slots {
  /** A record, or its JSON text until first used (an index loaded from a snapshot parses lazily). */
  records: (InstrumentRecord | string | undefined)[]
  /** `sortableName(record.name)`, computed when first compared (`sortNameOf`). */
  sortNames: (string | undefined)[]
  maskLo: Uint32Array
  maskHi: Uint32Array
  originCode: Uint8Array
  kindCode: Uint8Array
  countryCode: Uint16Array
  expiresAt: Float64Array
  opensAt: Float64Array
  budgetLow: Float64Array
  budgetHigh: Float64Array
  deadlineDay: (string | undefined)[]
  /**
   * Only for an instrument that closes more than once (cut-offs before its deadline): the instants
   * its closings pass, ascending, the last one `expiresAt` (`closingsOf`), and their Brussels days.
   */
  closings: (Float64Array | undefined)[]
  closingDays: (readonly string[] | undefined)[]
}

/**
 * When the instruments close next, as of the instants in [`validFrom`, `validUntil`): what
 * `closingWithin`, the deadline range filters, the deadline sort and relevance's tie-break use.
 */
export interface ClosingView {
  readonly validFrom: number
  readonly validUntil: number
  /** Positions by next closing, soonest first, open-ended last, ties by name then id. */
  readonly order: Int32Array
  /** `rank[position]`: place in `order`; -1 for an empty slot. */
  readonly rank: Int32Array
  /** Per position with `closings`: which of them is next (the last once all have passed). */
  readonly next: Int32Array | undefined
}

interface IndexParts {
  slots: Slots
  countries: string[]
  slotOfId: Map<string, number>
  freeSlots: number[]
  vocabulary: string[]
  postings: Int32Array[]
  order: Record<SortOrder, Int32Array>
  rank: Record<SortOrder, Int32Array>
}

export class CatalogueIndex {
  /** Number of slots (positions); empty ones included. Arrays indexed by position have this length. */
  readonly size: number
  /** Number of instruments. */
  readonly count: number
  readonly maskLo: Uint32Array
  readonly maskHi: Uint32Array
  readonly originCode: Uint8Array
  readonly kindCode: Uint8Array
  /** Index into `countries`; 0 (the empty string) for international instruments. */
  readonly countryCode: Uint16Array
  /** Countries of the catalogue, sorted, after '' at code 0 (may keep a country no longer used). */
  readonly countries: readonly string[]
  /** First instant the instrument counts as expired (ms); +Infinity when open-ended, -Infinity for an empty slot. */
  readonly expiresAt: Float64Array
  /** Start of the `opensAt` day in Brussels (ms); -Infinity when there is none. */
  readonly opensAt: Float64Array
  /** Brussels day of the deadline (the last closing). */
  readonly deadlineDay: readonly (string | undefined)[]
  /** Brussels days of every closing, for an instrument with cut-offs before its deadline (see `Slots`). */
  readonly closingDays: readonly (readonly string[] | undefined)[]
  /** Stated budget range; NaN when there is none. */
  readonly budgetLow: Float64Array
  readonly budgetHigh: Float64Array
  /** `rank[order][position]`: place of the instrument in that order (0 = first); -1 for an empty slot. */
  readonly rank: Readonly<Record<SortOrder, Int32Array>>
  /**
   * `order[order][rank]`: the position at that place; the inverse of `rank` (instruments only).
   * `deadline` is by the last closing; searches sort by the next one, `closing(now).order`.
   */
  readonly order: Readonly<Record<SortOrder, Int32Array>>

  private readonly slots: Slots
  private readonly slotOfId: ReadonlyMap<string, number>
  private readonly freeSlots: readonly number[]
  private readonly vocabulary: readonly string[]
  private readonly postings: readonly Int32Array[]
  /** The last `closing(now)`, reused while `now` stays in its range (the index is otherwise immutable). */
  private closingCache: ClosingView | undefined

  private constructor(parts: IndexParts) {
    const { slots } = parts
    this.slots = slots
    this.size = slots.records.length
    this.count = parts.slotOfId.size
    this.maskLo = slots.maskLo
    this.maskHi = slots.maskHi
    this.originCode = slots.originCode
    this.kindCode = slots.kindCode
    this.countryCode = slots.countryCode
    this.countries = parts.countries
    this.expiresAt = slots.expiresAt
    this.opensAt = slots.opensAt
    this.deadlineDay = slots.deadlineDay
    this.closingDays = slots.closingDays
    this.budgetLow = slots.budgetLow
    this.budgetHigh = slots.budgetHigh
    this.slotOfId = parts.slotOfId
    this.freeSlots = parts.freeSlots
    this.vocabulary = parts.vocabulary
    this.postings = parts.postings
    this.order = parts.order
    this.rank = parts.rank
  }

  /**
   * Builds the projection of these records: the public catalogue. Expired ones are included (they
   * are filtered per request); held ones (a synced call waiting for an editor) are left out, so no
   * search, match, feed, export or snapshot can show them.
   */
  static build(records: Iterable<InstrumentRecord>): CatalogueIndex {
    const byId = new Map<string, InstrumentRecord>()
    for (const record of records) if (isPublished(record)) byId.set(record.id, record)
    const list = [...byId.values()]
    const n = list.length
    const slots = allocateSlots(n)
    const countries = sortedCountries(list)
    const countryCodes = codesOf(countries)
    const slotOfId = new Map<string, number>()
    forgetTokenIdsIfMany()
    const words = new SlotWords(n)
    for (let slot = 0; slot < n; slot++) {
      const record = list[slot] as InstrumentRecord
      fillSlot(slots, slot, record, countryCodes)
      slotOfId.set(record.id, slot)
      const addToken = words.collector(slot)
      forEachTokenId(record.name, addToken)
      forEachTokenId(record.description, addToken)
      if (record.funder) forEachTokenId(record.funder, addToken)
      if (record.programme) forEachTokenId(record.programme, addToken)
    }
    const { vocabulary, postings } = words.postings()
    const all = Array.from({ length: n }, (_, slot) => slot)
    const { order, rank } = mergeOrders(slots, undefined, all, all)
    return new CatalogueIndex({
      slots,
      countries,
      slotOfId,
      freeSlots: [],
      vocabulary,
      postings,
      order,
      rank,
    })
  }

  /**
   * The index of `records` (in slot order; objects or their JSON text, parsed when first used)
   * from the parts `prebuilt` returned for them: no tokenizing, no sorting, no per-record work.
   * Refused (`PrebuiltIndexInvalid`) when the parts were computed another way (`INDEX_FORMAT`) or
   * do not fit the records; a caller then builds instead.
   */
  static fromPrebuilt(
    records: readonly (InstrumentRecord | string)[],
    prebuilt: PrebuiltIndex,
  ): CatalogueIndex {
    if (prebuilt.format !== INDEX_FORMAT) {
      throw new PrebuiltIndexInvalid(`computed as ${prebuilt.format}, not ${INDEX_FORMAT}`)
    }
    const n = records.length
    if (prebuilt.ids.length !== n || prebuilt.deadlineDay.length !== n)
      throw new PrebuiltIndexInvalid('the parts do not have one entry per record')
    const { columns } = prebuilt
    const slots: Slots = {
      records: [...records],
      sortNames: new Array(n).fill(undefined),
      maskLo: decodeColumn(columns.maskLo, Uint32Array, n),
      maskHi: decodeColumn(columns.maskHi, Uint32Array, n),
      originCode: decodeColumn(columns.originCode, Uint8Array, n),
      kindCode: decodeColumn(columns.kindCode, Uint8Array, n),
      countryCode: decodeColumn(columns.countryCode, Uint16Array, n),
      expiresAt: decodeColumn(columns.expiresAt, Float64Array, n),
      opensAt: decodeColumn(columns.opensAt, Float64Array, n),
      budgetLow: decodeColumn(columns.budgetLow, Float64Array, n),
      budgetHigh: decodeColumn(columns.budgetHigh, Float64Array, n),
      deadlineDay: prebuilt.deadlineDay.map((day) => day ?? undefined),
      closings: new Array(n).fill(undefined),
      closingDays: new Array(n).fill(undefined),
    }
    if (!prebuilt.closings) throw new PrebuiltIndexInvalid('the closings are missing')
    for (const { slot, at } of prebuilt.closings) {
      if (!Number.isInteger(slot) || slot < 0 || slot >= n || slots.closings[slot] !== undefined)
        throw new PrebuiltIndexInvalid('the closings name a slot twice or out of range')
      if (
        at.length < 2 ||
        at.some((instant, index) => index > 0 && !(instant > (at[index - 1] as number))) ||
        at[at.length - 1] !== slots.expiresAt[slot]
      )
        throw new PrebuiltIndexInvalid('the closings of a slot do not ascend to its expiry')
      setClosings(slots, slot, Float64Array.from(at))
    }
    const { countries } = prebuilt
    if (countries[0] !== '' || !isSorted(countries))
      throw new PrebuiltIndexInvalid('the countries are not sorted')
    for (const code of slots.countryCode)
      if (code >= countries.length) throw new PrebuiltIndexInvalid('a country code is out of range')
    const slotOfId = new Map(prebuilt.ids.map((id, slot) => [id, slot]))
    if (slotOfId.size !== n) throw new PrebuiltIndexInvalid('two records share an id')
    const { vocabulary } = prebuilt
    if (!isSorted(vocabulary)) throw new PrebuiltIndexInvalid('the vocabulary is not sorted')
    const postings = decodePostings(prebuilt.postings, vocabulary.length, n)
    const order = {
      name: decodeOrder(prebuilt.order.name, n),
      deadline: decodeOrder(prebuilt.order.deadline, n),
      updated: decodeOrder(prebuilt.order.updated, n),
    }
    const index = new CatalogueIndex({
      slots,
      countries,
      slotOfId,
      freeSlots: [],
      vocabulary,
      postings,
      order,
      rank: {
        name: inverse(order.name, n),
        deadline: inverse(order.deadline, n),
        updated: inverse(order.updated, n),
      },
    })
    index.spotCheck()
    return index
  }

  /**
   * The records in slot order and the parts `fromPrebuilt` needs to load them without building.
   * An index with empty slots is compacted (built afresh) first.
   */
  prebuilt(): { records: InstrumentRecord[]; index: PrebuiltIndex } {
    if (this.freeSlots.length > 0) return CatalogueIndex.build(this.records()).prebuilt()
    const records = Array.from({ length: this.size }, (_, slot) => recordAt(this.slots, slot))
    const { slots } = this
    return {
      records,
      index: {
        format: INDEX_FORMAT,
        ids: records.map((record) => record.id),
        countries: [...this.countries],
        columns: {
          maskLo: encodeColumn(slots.maskLo),
          maskHi: encodeColumn(slots.maskHi),
          originCode: encodeColumn(slots.originCode),
          kindCode: encodeColumn(slots.kindCode),
          countryCode: encodeColumn(slots.countryCode),
          expiresAt: encodeColumn(slots.expiresAt),
          opensAt: encodeColumn(slots.opensAt),
          budgetLow: encodeColumn(slots.budgetLow),
          budgetHigh: encodeColumn(slots.budgetHigh),
        },
        deadlineDay: slots.deadlineDay.map((day) => day ?? null),
        closings: slots.closings.flatMap((at, slot) => (at ? [{ slot, at: Array.from(at) }] : [])),
        vocabulary: [...this.vocabulary],
        postings: encodePostings(this.postings),
        order: {
          name: encodeOrder(this.order.name),
          deadline: encodeOrder(this.order.deadline),
          updated: encodeOrder(this.order.updated),
        },
      },
    }
  }

  /**
   * Checks a few instruments against the loaded parts: each of their words indexed to them, each
   * order sorted at their place. Catches parts computed by other code under the same format name.
   */
  private spotCheck(): void {
    const samples = Math.min(this.size, 16)
    const { expiresAt } = this.slots
    const expected = allocateSlots(1)
    const countryCodes = codesOf(this.countries)
    const columns = [
      'maskLo',
      'maskHi',
      'originCode',
      'kindCode',
      'countryCode',
      'expiresAt',
      'opensAt',
      'budgetLow',
      'budgetHigh',
    ] as const
    for (let sample = 0; sample < samples; sample++) {
      const slot = Math.floor((sample * this.size) / samples)
      const record = recordAt(this.slots, slot)
      if (this.slotOfId.get(record.id) !== slot)
        throw new PrebuiltIndexInvalid('the ids do not match the records')
      fillSlot(expected, 0, record, countryCodes)
      for (const column of columns) {
        if (!Object.is(expected[column][0], this.slots[column][slot]))
          throw new PrebuiltIndexInvalid(`the ${column} column does not match the records`)
      }
      if (expected.deadlineDay[0] !== this.slots.deadlineDay[slot])
        throw new PrebuiltIndexInvalid('the deadlineDay column does not match the records')
      if (String(expected.closings[0]) !== String(this.slots.closings[slot]))
        throw new PrebuiltIndexInvalid('the closings do not match the records')
      for (const token of tokensOf(record)) {
        const at = lowerBound(this.vocabulary, token)
        const posting = this.postings[at]
        if (this.vocabulary[at] !== token || !posting || !sortedIncludes(posting, slot))
          throw new PrebuiltIndexInvalid(`the word "${token}" is not indexed to its instrument`)
      }
      const rank = this.rank.name[slot] as number
      const next = this.order.name[rank + 1]
      if (
        next !== undefined &&
        compareStrings(sortNameOf(this.slots, slot), sortNameOf(this.slots, next)) > 0
      )
        throw new PrebuiltIndexInvalid('the name order does not follow the names')
      const soon = this.order.deadline[(this.rank.deadline[slot] as number) + 1]
      if (soon !== undefined && (expiresAt[slot] as number) > (expiresAt[soon] as number))
        throw new PrebuiltIndexInvalid('the deadline order does not follow the deadlines')
    }
  }

  /**
   * This index with `removedIds` taken out, then `upserted` added or replacing the instrument of the
   * same id: what `build` would return for the resulting catalogue, without rebuilding it. This
   * index is left as it is (searches in flight keep a consistent view).
   */
  withChanges(changed: readonly InstrumentRecord[], removed: readonly string[] = []): CatalogueIndex {
    // An instrument that is (again) held leaves the public projection, exactly as if removed.
    const upserted = changed.filter(isPublished)
    const removedIds = [
      ...removed,
      ...changed.filter((record) => !isPublished(record)).map((record) => record.id),
    ]
    if (upserted.length === 0 && removedIds.every((id) => !this.slotOfId.has(id))) return this
    const idsChange =
      removedIds.some((id) => this.slotOfId.has(id)) ||
      upserted.some((record) => !this.slotOfId.has(record.id))
    // Replacing instruments keeps every id on its slot: the map is shared, not copied.
    const slotOfId = idsChange ? new Map(this.slotOfId) : (this.slotOfId as Map<string, number>)
    const free = new Set(this.freeSlots)
    /** Slots whose content changes, with their instrument before the change (if any). */
    const before = new Map<number, InstrumentRecord | undefined>()
    const after = new Map<number, InstrumentRecord | undefined>()
    const touch = (slot: number) => {
      if (!before.has(slot)) {
        before.set(slot, this.slots.records[slot] === undefined ? undefined : recordAt(this.slots, slot))
      }
    }
    for (const id of removedIds) {
      const slot = slotOfId.get(id)
      if (slot === undefined) continue
      touch(slot)
      after.set(slot, undefined)
      slotOfId.delete(id)
      free.add(slot)
    }
    const latest = new Map<string, InstrumentRecord>()
    for (const record of upserted) latest.set(record.id, record)
    let size = this.size
    const freeInOrder = [...free].sort((a, b) => a - b)
    let nextFree = 0
    for (const record of latest.values()) {
      let slot = slotOfId.get(record.id)
      if (slot === undefined) {
        slot = nextFree < freeInOrder.length ? (freeInOrder[nextFree++] as number) : size++
        free.delete(slot)
        slotOfId.set(record.id, slot)
      }
      if (slot < this.size) touch(slot)
      else before.set(slot, undefined)
      after.set(slot, record)
    }

    const slots = copySlots(this.slots, size)
    let countries = this.countries as string[]
    const newCountries = [...latest.values()].flatMap((record) =>
      record.country && !countries.includes(record.country) ? [record.country] : [],
    )
    if (newCountries.length > 0) {
      const previous = countries
      countries = ['', ...new Set([...previous.slice(1), ...newCountries])].sort(compareStrings)
      const remap = Uint16Array.from(previous, (country) => countries.indexOf(country))
      for (let slot = 0; slot < this.size; slot++)
        slots.countryCode[slot] = remap[slots.countryCode[slot] as number] as number
    }
    const countryCodes = codesOf(countries)

    const tokenChanges = new Map<string, { removed: Set<number>; added: number[] }>()
    const changeOf = (token: string) => {
      let change = tokenChanges.get(token)
      if (!change) {
        change = { removed: new Set(), added: [] }
        tokenChanges.set(token, change)
      }
      return change
    }
    for (const [slot, record] of after) {
      const old = before.get(slot)
      if (record) fillSlot(slots, slot, record, countryCodes)
      else emptySlot(slots, slot)
      const newTokens = record ? tokensOf(record) : new Set<string>()
      const oldTokens = old ? tokensOf(old) : new Set<string>()
      for (const token of oldTokens) if (!newTokens.has(token)) changeOf(token).removed.add(slot)
      for (const token of newTokens) if (!oldTokens.has(token)) changeOf(token).added.push(slot)
    }
    const { vocabulary, postings } = this.changedPostings(tokenChanges)

    const changedSlots = [...after.keys()]
    const { order, rank } = mergeOrders(
      slots,
      this.order,
      changedSlots,
      changedSlots.filter((slot) => after.get(slot) !== undefined),
    )
    return new CatalogueIndex({
      slots,
      countries,
      slotOfId,
      freeSlots: [...free].sort((a, b) => a - b),
      vocabulary,
      postings,
      order,
      rank,
    })
  }

  private changedPostings(changes: Map<string, { removed: Set<number>; added: number[] }>): {
    vocabulary: string[]
    postings: Int32Array[]
  } {
    let postings = this.postings as Int32Array[]
    let copied = false
    const newTokens: string[] = []
    let emptied = false
    for (const [token, change] of changes) {
      const at = lowerBound(this.vocabulary, token)
      if (this.vocabulary[at] !== token) {
        newTokens.push(token)
        continue
      }
      const current = postings[at] as Int32Array
      const next = new Int32Array(current.length - change.removed.size + change.added.length)
      let length = 0
      for (const slot of current) if (!change.removed.has(slot)) next[length++] = slot
      for (const slot of change.added) next[length++] = slot
      if (!copied) {
        postings = postings.slice()
        copied = true
      }
      postings[at] = next.subarray(0, length)
      if (length === 0) emptied = true
    }
    if (newTokens.length === 0 && !emptied) return { vocabulary: this.vocabulary as string[], postings }
    newTokens.sort(compareStrings)
    const vocabulary: string[] = []
    const merged: Int32Array[] = []
    let next = 0
    const append = (token: string, posting: Int32Array) => {
      if (posting.length === 0) return
      vocabulary.push(token)
      merged.push(posting)
    }
    for (let at = 0; at < this.vocabulary.length; at++) {
      const token = this.vocabulary[at] as string
      while (next < newTokens.length && (newTokens[next] as string) < token) {
        const added = newTokens[next++] as string
        append(added, Int32Array.from(changes.get(added)?.added ?? []))
      }
      append(token, postings[at] as Int32Array)
    }
    while (next < newTokens.length) {
      const added = newTokens[next++] as string
      append(added, Int32Array.from(changes.get(added)?.added ?? []))
    }
    return { vocabulary, postings: merged }
  }

  /**
   * When each instrument closes next at `now`. Without cut-offs that is the deadline order itself;
   * with them, the instruments whose next cut-off comes before their deadline are taken out of it
   * and merged back in at that cut-off: O(n) when first asked and again only once one of those
   * cut-offs has passed (or `now` goes back before one); otherwise a cached answer.
   */
  closing(now: Date): ClosingView {
    const at = now.getTime()
    const cached = this.closingCache
    if (cached && at >= cached.validFrom && at < cached.validUntil) return cached
    const view = closingViewAt(this.slots, this.order.deadline, this.rank, at)
    this.closingCache = view
    return view
  }

  /** Flags by country code: 1 where the country is one of `countries` (code 0, no country, is international). */
  countryMask(countries: readonly string[], includeInternational = false): Uint8Array {
    const wanted = new Set(countries)
    return Uint8Array.from(this.countries, (country) =>
      (country === '' ? includeInternational : wanted.has(country)) ? 1 : 0,
    )
  }

  record(position: number): InstrumentRecord {
    return recordAt(this.slots, position)
  }

  /** The instrument of that id, if the catalogue has it. */
  get(id: string): InstrumentRecord | undefined {
    const slot = this.slotOfId.get(id)
    return slot === undefined ? undefined : recordAt(this.slots, slot)
  }

  /** Every instrument, in no particular order. */
  *records(): IterableIterator<InstrumentRecord> {
    for (let slot = 0; slot < this.size; slot++)
      if (this.slots.records[slot] !== undefined) yield recordAt(this.slots, slot)
  }

  /** `instrumentStatus` from the cached instants (the same rule, without recomputing time zones). */
  status(position: number, now: Date): InstrumentStatus {
    const at = now.getTime()
    if (at >= (this.expiresAt[position] as number)) return 'expired'
    return at < (this.opensAt[position] as number) ? 'forthcoming' : 'open'
  }

  /** The public view of the instrument at `now` (what `toPublicInstrument` returns). */
  publicInstrument(position: number, now: Date): Instrument {
    // Every instrument here is published (held ones are never indexed): the flag says nothing.
    const { published: _published, ...visible } = this.record(position)
    return { ...visible, status: this.status(position, now) }
  }

  /**
   * Positions whose text has, for every word, a token starting with it; ascending. `words` must be
   * normalised (`queryWords`). A position's counter reaches k+1 only if it matched words 0..k.
   */
  positionsMatchingAllWords(words: readonly string[]): Int32Array {
    const matchedWords = new Uint8Array(this.size)
    words.forEach((word, k) => {
      for (let token = lowerBound(this.vocabulary, word); token < this.vocabulary.length; token++) {
        if (!(this.vocabulary[token] as string).startsWith(word)) break
        for (const position of this.postings[token] as Int32Array) {
          if (matchedWords[position] === k) matchedWords[position] = k + 1
        }
      }
    })
    const hits: number[] = []
    for (let position = 0; position < this.size; position++) {
      if (matchedWords[position] === words.length) hits.push(position)
    }
    return Int32Array.from(hits)
  }
}

function allocateSlots(size: number): Slots {
  return {
    records: new Array(size).fill(undefined),
    sortNames: new Array(size).fill(undefined),
    maskLo: new Uint32Array(size),
    maskHi: new Uint32Array(size),
    originCode: new Uint8Array(size),
    kindCode: new Uint8Array(size),
    countryCode: new Uint16Array(size),
    expiresAt: new Float64Array(size),
    opensAt: new Float64Array(size),
    budgetLow: new Float64Array(size),
    budgetHigh: new Float64Array(size),
    deadlineDay: new Array(size).fill(undefined),
    closings: new Array(size).fill(undefined),
    closingDays: new Array(size).fill(undefined),
  }
}

/** A copy of `source` with room for `size` slots (the new ones empty until filled). */
function copySlots(source: Slots, size: number): Slots {
  const copy = allocateSlots(size)
  const length = source.records.length
  for (let slot = 0; slot < length; slot++) {
    copy.records[slot] = source.records[slot]
    copy.sortNames[slot] = source.sortNames[slot]
    copy.deadlineDay[slot] = source.deadlineDay[slot]
    copy.closings[slot] = source.closings[slot]
    copy.closingDays[slot] = source.closingDays[slot]
  }
  copy.maskLo.set(source.maskLo)
  copy.maskHi.set(source.maskHi)
  copy.originCode.set(source.originCode)
  copy.kindCode.set(source.kindCode)
  copy.countryCode.set(source.countryCode)
  copy.expiresAt.set(source.expiresAt)
  copy.opensAt.set(source.opensAt)
  copy.budgetLow.set(source.budgetLow)
  copy.budgetHigh.set(source.budgetHigh)
  for (let slot = length; slot < size; slot++) emptySlot(copy, slot)
  return copy
}

function fillSlot(
  slots: Slots,
  slot: number,
  record: InstrumentRecord,
  countryCodes: ReadonlyMap<string, number>,
): void {
  const mask = featureMask(record.features)
  const deadline = record.deadline === undefined ? undefined : deadlineFacts(record.deadline)
  const { budget } = record
  slots.records[slot] = record
  slots.sortNames[slot] = undefined
  slots.maskLo[slot] = mask.lo
  slots.maskHi[slot] = mask.hi
  slots.originCode[slot] = ORIGIN_CODE.get(record.origin) ?? 0
  slots.kindCode[slot] = KIND_CODE.get(record.kind) ?? 0
  slots.countryCode[slot] = countryCodes.get(record.country ?? '') ?? 0
  slots.expiresAt[slot] = deadline?.expiresAt ?? Number.POSITIVE_INFINITY
  slots.opensAt[slot] =
    record.opensAt === undefined
      ? Number.NEGATIVE_INFINITY
      : memoised(dayStartMemo, record.opensAt, brusselsDayStart)
  slots.deadlineDay[slot] = deadline?.day
  const closings = record.cutOffs && record.cutOffs.length > 1 ? closingsOf(record) : undefined
  setClosings(slots, slot, closings && closings.length > 1 ? Float64Array.from(closings) : undefined)
  // A range open at one end: a stated maximum starts at 0, a stated minimum has no ceiling.
  slots.budgetLow[slot] = budget?.min ?? (budget?.max === undefined ? Number.NaN : 0)
  slots.budgetHigh[slot] = budget?.max ?? (budget?.min === undefined ? Number.NaN : Number.POSITIVE_INFINITY)
}

/** An empty slot is never a hit: it has expired since the beginning of time. */
function emptySlot(slots: Slots, slot: number): void {
  slots.records[slot] = undefined
  slots.sortNames[slot] = undefined
  slots.maskLo[slot] = 0
  slots.maskHi[slot] = 0
  slots.originCode[slot] = 0
  slots.kindCode[slot] = 0
  slots.countryCode[slot] = 0
  slots.expiresAt[slot] = Number.NEGATIVE_INFINITY
  slots.opensAt[slot] = Number.NEGATIVE_INFINITY
  slots.deadlineDay[slot] = undefined
  setClosings(slots, slot, undefined)
  slots.budgetLow[slot] = Number.NaN
  slots.budgetHigh[slot] = Number.NaN
}

function setClosings(slots: Slots, slot: number, closings: Float64Array | undefined): void {
  slots.closings[slot] = closings
  slots.closingDays[slot] = closings ? Array.from(closings, closingDay) : undefined
}

/**
 * The closing view at `at` (see `CatalogueIndex.closing`). An instrument whose next closing is its
 * last sits in the deadline order already; only the others ("early") move. The view holds while
 * every instrument with closings keeps the same next one: from the latest closing passed to the
 * earliest early one ahead.
 */
function closingViewAt(
  slots: Slots,
  deadlineOrder: Int32Array,
  ranks: Readonly<Record<SortOrder, Int32Array>>,
  at: number,
): ClosingView {
  const size = slots.records.length
  let validFrom = Number.NEGATIVE_INFINITY
  let validUntil = Number.POSITIVE_INFINITY
  let next: Int32Array | undefined
  let isEarly: Uint8Array | undefined
  const early: number[] = []
  for (let slot = 0; slot < size; slot++) {
    const closings = slots.closings[slot]
    if (closings === undefined) continue
    next ??= new Int32Array(size)
    isEarly ??= new Uint8Array(size)
    const last = closings.length - 1
    const index = Math.min(nextClosingIndex(closings, at), last)
    next[slot] = index
    if (index > 0) validFrom = Math.max(validFrom, closings[index - 1] as number)
    if (index < last) {
      validUntil = Math.min(validUntil, closings[index] as number)
      early.push(slot)
      isEarly[slot] = 1
    }
  }
  if (!isEarly || !next || early.length === 0)
    return { validFrom, validUntil, order: deadlineOrder, rank: ranks.deadline, next }
  const { expiresAt } = slots
  const nameRank = ranks.name
  const flags = isEarly
  const nextOf = next
  const key = (slot: number) =>
    flags[slot] === 1
      ? ((slots.closings[slot] as Float64Array)[nextOf[slot] as number] as number)
      : (expiresAt[slot] as number)
  const order = mergeOrder(
    deadlineOrder,
    flags,
    early,
    (a, b) => compareNumbers(key(a), key(b)) || (nameRank[a] as number) - (nameRank[b] as number),
  )
  return { validFrom, validUntil, order, rank: inverse(order, size), next }
}

/** The record in a slot, parsed from its JSON text on first use. */
function recordAt(slots: Slots, slot: number): InstrumentRecord {
  const stored = slots.records[slot]
  if (typeof stored !== 'string') return stored as InstrumentRecord
  const record = JSON.parse(stored) as InstrumentRecord
  slots.records[slot] = record
  return record
}

function isSorted(values: readonly string[]): boolean {
  for (let at = 1; at < values.length; at++)
    if (!((values[at - 1] as string) < (values[at] as string))) return false
  return true
}

/** The name an instrument sorts by; normalising is the costly part of a name, so it waits until needed. */
function sortNameOf(slots: Slots, slot: number): string {
  let name = slots.sortNames[slot]
  if (name === undefined) {
    name = sortableName(recordAt(slots, slot).name)
    slots.sortNames[slot] = name
  }
  return name
}

function sortedCountries(records: readonly InstrumentRecord[]): string[] {
  const countries = new Set<string>()
  for (const record of records) if (record.country) countries.add(record.country)
  return ['', ...countries].sort(compareStrings)
}

function codesOf(countries: readonly string[]): Map<string, number> {
  return new Map(countries.map((country, code) => [country, code]))
}

/**
 * The three orders after `changed` slots changed (all of them for a build): the changed slots
 * are dropped from the previous orders, the ones still holding an instrument (`placed`) are
 * sorted and merged back in. The deadline and updated orders break ties by name rank, so the
 * name order comes first.
 */
function mergeOrders(
  slots: Slots,
  previous: Readonly<Record<SortOrder, Int32Array>> | undefined,
  changed: readonly number[],
  placed: readonly number[],
): { order: Record<SortOrder, Int32Array>; rank: Record<SortOrder, Int32Array> } {
  const size = slots.records.length
  const isChanged = new Uint8Array(size)
  for (const slot of changed) isChanged[slot] = 1
  const { expiresAt } = slots
  const byName = (a: number, b: number) =>
    compareStrings(sortNameOf(slots, a), sortNameOf(slots, b)) ||
    compareStrings(recordAt(slots, a).name, recordAt(slots, b).name) ||
    compareStrings(recordAt(slots, a).id, recordAt(slots, b).id)
  const name = mergeOrder(previous?.name, isChanged, placed, byName)
  const nameRank = inverse(name, size)
  const byDeadline = (a: number, b: number) =>
    compareNumbers(expiresAt[a] as number, expiresAt[b] as number) ||
    (nameRank[a] as number) - (nameRank[b] as number)
  const byUpdate = (a: number, b: number) =>
    compareStrings(recordAt(slots, b).updatedAt, recordAt(slots, a).updatedAt) ||
    (nameRank[a] as number) - (nameRank[b] as number)
  // A build sorts everything: a stable sort of the name order by the first key alone breaks ties
  // by name rank already, with a cheaper comparison.
  const deadline = previous
    ? mergeOrder(previous.deadline, isChanged, placed, byDeadline)
    : stableSortOf(name, (a, b) => compareNumbers(expiresAt[a] as number, expiresAt[b] as number))
  const updated = previous
    ? mergeOrder(previous.updated, isChanged, placed, byUpdate)
    : stableSortOf(name, (a, b) => compareStrings(recordAt(slots, b).updatedAt, recordAt(slots, a).updatedAt))
  return {
    order: { name, deadline, updated },
    rank: { name: nameRank, deadline: inverse(deadline, size), updated: inverse(updated, size) },
  }
}

/** `order` re-sorted by `compare`, keeping its order among equals (Array.prototype.sort is stable). */
function stableSortOf(order: Int32Array, compare: (a: number, b: number) => number): Int32Array {
  return Int32Array.from(Array.from(order).sort(compare))
}

function mergeOrder(
  previous: Int32Array | undefined,
  isChanged: Uint8Array,
  placed: readonly number[],
  compare: (a: number, b: number) => number,
): Int32Array {
  const incoming = Int32Array.from(placed).sort(compare)
  if (!previous || previous.length === 0) return incoming
  const kept = previous.filter((slot) => isChanged[slot] === 0)
  if (incoming.length === 0) return kept
  const merged = new Int32Array(kept.length + incoming.length)
  let from = 0
  let at = 0
  for (const slot of incoming) {
    // Binary search for where `slot` goes among the kept ones, then copy the run before it.
    let low = from
    let high = kept.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (compare(kept[middle] as number, slot) < 0) low = middle + 1
      else high = middle
    }
    merged.set(kept.subarray(from, low), at)
    at += low - from
    from = low
    merged[at++] = slot
  }
  merged.set(kept.subarray(from), at)
  return merged
}

/**
 * The distinct token ids of each slot, collected slot after slot into one flat buffer and counted
 * per id, then laid out as one posting list (ascending slots) per token: typed arrays sized once,
 * where a growing array per token made tens of thousands of small arrays for the collector to
 * move (a fifth of a 50,000-instrument build was garbage collection).
 */
class SlotWords {
  private ids = new Int32Array(1 << 16)
  private length = 0
  private readonly ends: Int32Array
  /** Per token id: in how many slots it occurs, and the last slot it was collected for. */
  private counts = new Int32Array(1 << 12)
  private lastSlot = new Int32Array(1 << 12).fill(-1)

  constructor(slotCount: number) {
    this.ends = new Int32Array(slotCount)
  }

  /** A visitor for `forEachTokenId` that collects the ids of `slot`; slots are collected in increasing order. */
  collector(slot: number): (id: number) => void {
    return (id) => {
      if (id >= this.counts.length) this.growPerToken(id + 1)
      if (this.lastSlot[id] === slot) return
      this.lastSlot[id] = slot
      this.counts[id] = (this.counts[id] as number) + 1
      if (this.length === this.ids.length) this.ids = grown(this.ids, this.ids.length * 2)
      this.ids[this.length++] = id
      this.ends[slot] = this.length
    }
  }

  /** The sorted vocabulary and, in the same order, each token's slots. */
  postings(): { vocabulary: string[]; postings: Int32Array[] } {
    const used: number[] = []
    for (let id = 0; id < this.counts.length; id++) if ((this.counts[id] as number) > 0) used.push(id)
    const byId: Int32Array[] = new Array(this.counts.length)
    for (const id of used) byId[id] = new Int32Array(this.counts[id] as number)
    const filled = new Int32Array(this.counts.length)
    let start = 0
    for (let slot = 0; slot < this.ends.length; slot++) {
      // A slot without words keeps an end of 0: nothing of it to read.
      const end = Math.max(start, this.ends[slot] as number)
      for (let at = start; at < end; at++) {
        const id = this.ids[at] as number
        const position = filled[id] as number
        ;(byId[id] as Int32Array)[position] = slot
        filled[id] = position + 1
      }
      start = end
    }
    const tokens = used.map((id) => ({ id, token: tokenOfId(id) }))
    tokens.sort((a, b) => compareStrings(a.token, b.token))
    return {
      vocabulary: tokens.map(({ token }) => token),
      postings: tokens.map(({ id }) => byId[id] as Int32Array),
    }
  }

  private growPerToken(atLeast: number): void {
    const size = Math.max(atLeast, this.counts.length * 2)
    this.counts = grown(this.counts, size)
    const lastSlot = new Int32Array(size).fill(-1)
    lastSlot.set(this.lastSlot)
    this.lastSlot = lastSlot
  }
}

function grown(array: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(size)
  bigger.set(array)
  return bigger
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function inverse(order: Int32Array, size: number): Int32Array {
  const rank = new Int32Array(size).fill(-1)
  for (let index = 0; index < order.length; index++) rank[order[index] as number] = index
  return rank
}

function sortedIncludes(sorted: Int32Array, value: number): boolean {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if ((sorted[middle] as number) < value) low = middle + 1
    else high = middle
  }
  return sorted[low] === value
}

function lowerBound(sorted: readonly string[], value: string): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if ((sorted[middle] as string) < value) low = middle + 1
    else high = middle
  }
  return low
}
