import type { Instrument } from '../instrument'
import type { FeatureCode } from '../taxonomy'
import { type CatalogueIndex, featureCodesOf, featureMask } from './catalogue-index'
import { rankHits } from './search-instruments'
import { type MatchCriteria, matchSearchCriteria } from './search-query'

export interface MatchItem {
  instrument: Instrument
  /** matched / requested, in (0, 1]. */
  score: number
  /** The requested codes the instrument has, in taxonomy order. */
  matched: FeatureCode[]
  /** The requested codes it lacks. */
  missing: FeatureCode[]
}

export interface MatchResult {
  items: MatchItem[]
  /** Instruments that have at least one of the requested features. */
  total: number
}

/**
 * Ranks live instruments by how much of a project's feature profile they cover: score desc, then
 * soonest deadline (open-ended last), then name. Instruments with no requested feature are left
 * out. It is a relevance search with `match: 'any'`, so both share one ordering.
 */
export function matchInstruments(index: CatalogueIndex, request: MatchCriteria, now: Date): MatchResult {
  const hits = rankHits(index, matchSearchCriteria(request.features, request), now)
  const requested = featureMask(request.features)
  const items: MatchItem[] = []
  const count = Math.min(request.limit, hits.positions.length)
  for (let rank = 0; rank < count; rank++) {
    const position = hits.positions[rank] as number
    const matched = featureCodesOf(
      (index.maskLo[position] as number) & requested.lo,
      (index.maskHi[position] as number) & requested.hi,
    )
    const matchedSet = new Set<string>(matched)
    items.push({
      instrument: index.publicInstrument(position, now),
      score: matched.length / request.features.length,
      matched,
      missing: request.features.filter((code) => !matchedSet.has(code)),
    })
  }
  return { items, total: hits.positions.length }
}
