import { brusselsDate, brusselsDayStart } from '../../platform/time'
import {
  expiresAt,
  INSTRUMENT_KINDS,
  type Instrument,
  type InstrumentRecord,
  type InstrumentStatus,
  ORIGINS,
} from '../instrument'
import { FEATURE_CODES, FEATURE_INDEX, type FeatureCode } from '../taxonomy'
import { normaliseText, tokenize } from './normalise-text'

/**
 * A compact, immutable in-memory projection of the live catalogue, laid out for search: one slot
 * per instrument ("position"), with its features as a 54-bit mask in two uint32 words, its facets
 * as small integers, its deadline as an instant and a Brussels day, and its words in an inverted
 * index over a sorted vocabulary so that a query word matches every word it is a prefix of.
 *
 * Orders (by name, by deadline, by last update) are computed once at build time, ties broken by
 * name and then id, so a search sorts its hits by integer ranks instead of comparing records.
 *
 * Building costs O(n log n); the per-instrument part (tokens, mask, deadline) is cached per record
 * object, so rebuilding after a few changes only redoes the cheap global part.
 */

interface Entry {
  maskLo: number
  maskHi: number
  tokens: string[]
  sortName: string
  expiresAt: number
  opensAt: number
  deadlineDay: string | undefined
  budgetLow: number
  budgetHigh: number
}

const entryCache = new WeakMap<InstrumentRecord, Entry>()

function entryOf(record: InstrumentRecord): Entry {
  let entry = entryCache.get(record)
  if (entry) return entry
  const mask = featureMask(record.features)
  const expiry = expiresAt(record)
  const low = record.budget?.min ?? (record.budget?.max === undefined ? Number.NaN : 0)
  const high =
    record.budget?.max ?? (record.budget?.min === undefined ? Number.NaN : Number.POSITIVE_INFINITY)
  entry = {
    maskLo: mask.lo,
    maskHi: mask.hi,
    tokens: [
      ...new Set(
        [record.name, record.description, record.funder, record.programme].flatMap((text) =>
          text ? tokenize(text) : [],
        ),
      ),
    ],
    sortName: normaliseText(record.name),
    expiresAt: expiry ?? Number.POSITIVE_INFINITY,
    opensAt: record.opensAt === undefined ? Number.NEGATIVE_INFINITY : brusselsDayStart(record.opensAt),
    deadlineDay: record.deadline === undefined ? undefined : deadlineDay(record.deadline, expiry),
    budgetLow: low,
    budgetHigh: high,
  }
  entryCache.set(record, entry)
  return entry
}

/** The Brussels calendar day a deadline falls on (a date-time deadline closes at `expiresAt - 1`). */
function deadlineDay(deadline: string, expiry: number | undefined): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(deadline)) return deadline
  return brusselsDate(new Date((expiry ?? Date.parse(deadline)) - 1))
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

export class CatalogueIndex {
  readonly size: number
  readonly maskLo: Uint32Array
  readonly maskHi: Uint32Array
  readonly originCode: Uint8Array
  readonly kindCode: Uint8Array
  /** Index into `countries`; 0 (the empty string) for international instruments. */
  readonly countryCode: Uint16Array
  /** Distinct countries of the catalogue, sorted, after '' at code 0. */
  readonly countries: readonly string[]
  /** First instant the instrument counts as expired (ms); +Infinity when open-ended. */
  readonly expiresAt: Float64Array
  /** Start of the `opensAt` day in Brussels (ms); -Infinity when there is none. */
  readonly opensAt: Float64Array
  readonly deadlineDay: readonly (string | undefined)[]
  /** Stated budget range; NaN when there is none. */
  readonly budgetLow: Float64Array
  readonly budgetHigh: Float64Array
  /** `rank[order][position]`: place of the instrument in that order (0 = first). */
  readonly rank: Readonly<Record<SortOrder, Int32Array>>
  /** `order[order][rank]`: the position at that place; the inverse of `rank`. */
  readonly order: Readonly<Record<SortOrder, Int32Array>>

  private readonly records: readonly InstrumentRecord[]
  private readonly vocabulary: readonly string[]
  private readonly postings: readonly Int32Array[]

  private constructor(records: readonly InstrumentRecord[]) {
    const n = records.length
    this.size = n
    this.records = records
    this.maskLo = new Uint32Array(n)
    this.maskHi = new Uint32Array(n)
    this.originCode = new Uint8Array(n)
    this.kindCode = new Uint8Array(n)
    this.expiresAt = new Float64Array(n)
    this.opensAt = new Float64Array(n)
    this.budgetLow = new Float64Array(n)
    this.budgetHigh = new Float64Array(n)
    this.countries = [
      '',
      ...new Set(records.flatMap((record) => (record.country ? [record.country] : []))),
    ].sort(compareStrings)
    const countryCodes = new Map(this.countries.map((country, code) => [country, code]))
    this.countryCode = new Uint16Array(n)
    const days: (string | undefined)[] = new Array(n)
    const entries: Entry[] = new Array(n)
    const postings = new Map<string, number[]>()
    for (let position = 0; position < n; position++) {
      const record = records[position] as InstrumentRecord
      const entry = entryOf(record)
      entries[position] = entry
      this.maskLo[position] = entry.maskLo
      this.maskHi[position] = entry.maskHi
      this.originCode[position] = ORIGIN_CODE.get(record.origin) ?? 0
      this.kindCode[position] = KIND_CODE.get(record.kind) ?? 0
      this.countryCode[position] = countryCodes.get(record.country ?? '') ?? 0
      this.expiresAt[position] = entry.expiresAt
      this.opensAt[position] = entry.opensAt
      days[position] = entry.deadlineDay
      this.budgetLow[position] = entry.budgetLow
      this.budgetHigh[position] = entry.budgetHigh
      for (const token of entry.tokens) {
        const list = postings.get(token)
        if (list) list.push(position)
        else postings.set(token, [position])
      }
    }
    this.deadlineDay = days
    this.vocabulary = [...postings.keys()].sort(compareStrings)
    this.postings = this.vocabulary.map((token) => Int32Array.from(postings.get(token) ?? []))

    const byName = (a: number, b: number) =>
      compareStrings((entries[a] as Entry).sortName, (entries[b] as Entry).sortName) ||
      compareStrings((records[a] as InstrumentRecord).name, (records[b] as InstrumentRecord).name) ||
      compareStrings((records[a] as InstrumentRecord).id, (records[b] as InstrumentRecord).id)
    const nameOrder = sortedPositions(n, byName)
    const nameRank = inverse(nameOrder)
    const deadlineOrder = sortedPositions(
      n,
      (a, b) =>
        compareNumbers(this.expiresAt[a] as number, this.expiresAt[b] as number) ||
        (nameRank[a] as number) - (nameRank[b] as number),
    )
    const updatedOrder = sortedPositions(
      n,
      (a, b) =>
        compareStrings(
          (records[b] as InstrumentRecord).updatedAt,
          (records[a] as InstrumentRecord).updatedAt,
        ) || (nameRank[a] as number) - (nameRank[b] as number),
    )
    this.order = { name: nameOrder, deadline: deadlineOrder, updated: updatedOrder }
    this.rank = { name: nameRank, deadline: inverse(deadlineOrder), updated: inverse(updatedOrder) }
  }

  /** Builds the projection of these records (the live catalogue, expired ones included: they are filtered per request). */
  static build(records: Iterable<InstrumentRecord>): CatalogueIndex {
    return new CatalogueIndex([...records].sort((a, b) => compareStrings(a.id, b.id)))
  }

  /** Flags by country code: 1 where the country is one of `countries` (code 0, no country, is international). */
  countryMask(countries: readonly string[], includeInternational = false): Uint8Array {
    const wanted = new Set(countries)
    return Uint8Array.from(this.countries, (country) =>
      (country === '' ? includeInternational : wanted.has(country)) ? 1 : 0,
    )
  }

  record(position: number): InstrumentRecord {
    return this.records[position] as InstrumentRecord
  }

  /** `instrumentStatus` from the cached instants (the same rule, without recomputing time zones). */
  status(position: number, now: Date): InstrumentStatus {
    const at = now.getTime()
    if (at >= (this.expiresAt[position] as number)) return 'expired'
    return at < (this.opensAt[position] as number) ? 'forthcoming' : 'open'
  }

  /** The public view of the instrument at `now` (what `toPublicInstrument` returns). */
  publicInstrument(position: number, now: Date): Instrument {
    return { ...this.record(position), status: this.status(position, now) }
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

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function compareNumbers(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function sortedPositions(n: number, compare: (a: number, b: number) => number): Int32Array {
  const positions = Array.from({ length: n }, (_, index) => index)
  positions.sort(compare)
  return Int32Array.from(positions)
}

function inverse(order: Int32Array): Int32Array {
  const rank = new Int32Array(order.length)
  order.forEach((position, index) => {
    rank[position] = index
  })
  return rank
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
