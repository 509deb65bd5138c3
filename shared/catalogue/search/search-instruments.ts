import { brusselsDate } from '../../platform/time'
import { INSTRUMENT_KINDS, type Instrument, ORIGINS } from '../instrument'
import { FEATURE_CODES, type FeatureCode } from '../taxonomy'
import {
  type CatalogueIndex,
  type ClosingView,
  featureCodesOf,
  featureMask,
  KIND_CODE,
  ORIGIN_CODE,
  popcount,
} from './catalogue-index'
import { queryWords } from './normalise-text'
import type { SearchCriteria } from './search-query'

export type SearchItem = Instrument & { matchedFeatures?: FeatureCode[] }

export interface SearchFacets {
  features: Record<string, number>
  origin: Record<string, number>
  country: Record<string, number>
  kind: Record<string, number>
}

export interface SearchResult {
  items: SearchItem[]
  page: number
  limit: number
  total: number
  facets: SearchFacets
}

/** The hits of a search, in order, before paging: positions in the index and their matched-feature counts. */
export interface RankedHits {
  positions: Int32Array
  matchedCounts: Uint8Array
}

const FEATURE_COUNT = FEATURE_CODES.length

/**
 * Searches the catalogue projection: filters, sorts, pages and counts facets over the whole
 * result. Pure (time comes in as `now`), synchronous, no I/O. Expired instruments are never
 * returned, whatever the expiry job has done.
 *
 * `criteria.page` and `criteria.limit` are not bounded here (the API bounds them); an export can
 * ask for `limit: Number.POSITIVE_INFINITY`.
 */
export function searchInstruments(index: CatalogueIndex, criteria: SearchCriteria, now: Date): SearchResult {
  const hits = rankHits(index, criteria, now)
  const start = (criteria.page - 1) * criteria.limit
  const end = Math.min(hits.positions.length, start + criteria.limit)
  const requested = criteria.features?.length ? featureMask(criteria.features) : undefined
  const items: SearchItem[] = []
  for (let rank = start; rank < end; rank++) {
    const position = hits.positions[rank] as number
    const instrument: SearchItem = index.publicInstrument(position, now)
    if (requested) {
      instrument.matchedFeatures = featureCodesOf(
        (index.maskLo[position] as number) & requested.lo,
        (index.maskHi[position] as number) & requested.hi,
      )
    }
    items.push(instrument)
  }
  return {
    items,
    page: criteria.page,
    limit: criteria.limit,
    total: hits.positions.length,
    facets: countFacets(index, hits.positions),
  }
}

/**
 * Every hit of the criteria, sorted; for callers that page or stream results themselves. "Deadline"
 * (the `deadline` sort, relevance's tie-break) is when the instrument closes next at `now`: a
 * multiple cut-off call sorts by its next cut-off, as its result card counts down to it.
 */
export function rankHits(index: CatalogueIndex, criteria: SearchCriteria, now: Date): RankedHits {
  const closing = index.closing(now)
  const { positions, matchedCounts } = filterPositions(index, criteria, now, closing)
  const order =
    criteria.sort === 'relevance' || criteria.sort === 'deadline' ? closing.order : index.order[criteria.sort]
  // No comparison sort: walking the precomputed order and keeping the hits is O(n) and already
  // breaks ties. Relevance walks the deadline order into one bucket per matched-feature count.
  const isHit = new Uint8Array(index.size)
  for (const position of positions) isHit[position] = 1
  const sorted = new Int32Array(positions.length)
  if (criteria.sort === 'relevance' && criteria.features?.length) {
    const bucketStart = new Int32Array(FEATURE_COUNT + 2)
    for (const position of positions)
      increment(bucketStart, FEATURE_COUNT - (matchedCounts[position] as number) + 1)
    for (let bucket = 1; bucket < bucketStart.length; bucket++)
      bucketStart[bucket] = (bucketStart[bucket] as number) + (bucketStart[bucket - 1] as number)
    for (const position of order) {
      if (isHit[position] === 0) continue
      const bucket = FEATURE_COUNT - (matchedCounts[position] as number)
      sorted[bucketStart[bucket] as number] = position
      bucketStart[bucket] = (bucketStart[bucket] as number) + 1
    }
  } else {
    let next = 0
    for (const position of order) if (isHit[position] === 1) sorted[next++] = position
  }
  return { positions: sorted, matchedCounts }
}

interface Filtered {
  positions: Int32Array
  /** Indexed by position: how many requested features the instrument has. */
  matchedCounts: Uint8Array
}

function filterPositions(
  index: CatalogueIndex,
  criteria: SearchCriteria,
  now: Date,
  closing: ClosingView,
): Filtered {
  const nowMs = now.getTime()
  const requested = criteria.features?.length ? featureMask(criteria.features) : undefined
  const requireAll = criteria.match === 'all'
  const originBits = criteria.origin ? bitsOf(criteria.origin, ORIGIN_CODE) : -1
  const kindBits = criteria.kind ? bitsOf(criteria.kind, KIND_CODE) : -1
  const countryAllowed = criteria.country
    ? index.countryMask(criteria.country, criteria.includeInternational ?? false)
    : undefined
  const { from, to } = deadlineWindow(criteria, now)
  const byDeadline = from !== undefined || to !== undefined
  const byBudget = criteria.budgetMin !== undefined || criteria.budgetMax !== undefined
  const budgetMin = criteria.budgetMin ?? 0
  const budgetMax = criteria.budgetMax ?? Number.POSITIVE_INFINITY

  const words = criteria.q ? queryWords(criteria.q) : []
  const candidates = words.length > 0 ? index.positionsMatchingAllWords(words) : undefined
  const candidateCount = candidates ? candidates.length : index.size
  const matchedCounts = new Uint8Array(index.size)
  const hits = new Int32Array(candidateCount)
  let hitCount = 0
  for (let candidate = 0; candidate < candidateCount; candidate++) {
    const position = candidates ? (candidates[candidate] as number) : candidate
    if ((index.expiresAt[position] as number) <= nowMs) continue
    if (requested) {
      const lo = ((index.maskLo[position] as number) & requested.lo) >>> 0
      const hi = ((index.maskHi[position] as number) & requested.hi) >>> 0
      if (requireAll ? lo !== requested.lo || hi !== requested.hi : lo === 0 && hi === 0) continue
      matchedCounts[position] = popcount(lo) + popcount(hi)
    }
    if (((originBits >> (index.originCode[position] as number)) & 1) === 0) continue
    if (((kindBits >> (index.kindCode[position] as number)) & 1) === 0) continue
    if (countryAllowed && countryAllowed[index.countryCode[position] as number] === 0) continue
    if (byDeadline) {
      const days = index.closingDays[position]
      if (days === undefined) {
        const day = index.deadlineDay[position]
        if (day === undefined || (from !== undefined && day < from) || (to !== undefined && day > to))
          continue
      } else {
        // A closing still ahead (the next one or a later one) falls in the window.
        let at = (closing.next as Int32Array)[position] as number
        if (from !== undefined) while (at < days.length && (days[at] as string) < from) at++
        if (at === days.length || (to !== undefined && (days[at] as string) > to)) continue
      }
    }
    if (byBudget) {
      // NaN (no stated budget) fails both comparisons, so such instruments are left out.
      if (
        !(
          (index.budgetLow[position] as number) <= budgetMax &&
          (index.budgetHigh[position] as number) >= budgetMin
        )
      )
        continue
    }
    hits[hitCount++] = position
  }
  return { positions: hits.subarray(0, hitCount), matchedCounts }
}

function bitsOf(values: readonly string[], codes: ReadonlyMap<string, number>): number {
  let bits = 0
  for (const value of values) {
    const code = codes.get(value)
    if (code !== undefined) bits |= 1 << code
  }
  return bits
}

/**
 * The inclusive window of closing days (Brussels): `deadlineFrom`/`deadlineTo`, narrowed by
 * `closingWithin` to today .. today + N days. An instrument matches when one of its closings still
 * ahead falls in it: its deadline, or for a multiple cut-off call any cut-off not yet passed. So
 * `deadlineTo` and `closingWithin` are about its next closing (what "closes in N days" counts to)
 * and `deadlineFrom` alone about its last (it can still be applied to then).
 */
export function deadlineWindow(criteria: SearchCriteria, now: Date): { from?: string; to?: string } {
  let from = criteria.deadlineFrom
  let to = criteria.deadlineTo
  if (criteria.closingWithin !== undefined) {
    const today = brusselsDate(now)
    const last = addDays(today, criteria.closingWithin)
    if (from === undefined || from < today) from = today
    if (to === undefined || to > last) to = last
  }
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) }
}

/** `YYYY-MM-DD` plus whole calendar days. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

function countFacets(index: CatalogueIndex, positions: Int32Array): SearchFacets {
  const features = new Int32Array(FEATURE_COUNT)
  const origins = new Int32Array(ORIGINS.length)
  const kinds = new Int32Array(INSTRUMENT_KINDS.length)
  const countries = new Int32Array(index.countries.length)
  for (const position of positions) {
    for (let word = index.maskLo[position] as number; word !== 0; word &= word - 1)
      increment(features, 31 - Math.clz32(word & -word))
    for (let word = index.maskHi[position] as number; word !== 0; word &= word - 1)
      increment(features, 63 - Math.clz32(word & -word))
    increment(origins, index.originCode[position] as number)
    increment(kinds, index.kindCode[position] as number)
    increment(countries, index.countryCode[position] as number)
  }
  return {
    features: nonZero(FEATURE_CODES, features),
    origin: nonZero(ORIGINS, origins),
    // Code 0 is "no country" (international): not a country facet value.
    country: nonZero(
      index.countries,
      countries.map((count, code) => (code === 0 ? 0 : count)),
    ),
    kind: nonZero(INSTRUMENT_KINDS, kinds),
  }
}

function increment(counts: Int32Array, at: number): void {
  counts[at] = (counts[at] as number) + 1
}

function nonZero(values: readonly string[], counts: Int32Array): Record<string, number> {
  const result: Record<string, number> = {}
  values.forEach((value, index) => {
    const count = counts[index] as number
    if (count > 0) result[value] = count
  })
  return result
}
