import type { InstrumentKind, InstrumentRecord, Origin } from '../catalogue/instrument'
import {
  type CatalogueIndex,
  featureCodesOf,
  featureMask,
  popcount,
} from '../catalogue/search/catalogue-index'
import { rankHits } from '../catalogue/search/search-instruments'
import { searchCriteria } from '../catalogue/search/search-query'
import type { FeatureCode } from '../catalogue/taxonomy'
import type { ProjectRecord } from './project'

export const DEFAULT_MATRIX_TOP = 5
export const MAX_MATRIX_TOP = 20

export interface MatrixOptions {
  /** How many best instruments to keep per project (the matrix's columns are the union of them). */
  top: number
  origin?: readonly Origin[] | undefined
  country?: readonly string[] | undefined
  kind?: readonly InstrumentKind[] | undefined
}

export interface MatrixBest {
  /** Column of the instrument in `instruments` and `scores`. */
  column: number
  score: number
  matched: FeatureCode[]
}

export interface MatrixRow {
  project: ProjectRecord
  /** The project's best instruments, in `POST /v1/match` order (score desc, soonest deadline, name). */
  best: MatrixBest[]
  /** Live instruments (after the filters) that share at least one feature with the project. */
  matchingInstruments: number
}

export interface MatrixColumn {
  record: InstrumentRecord
  /** How many projects have it among their best. */
  bestFor: number
}

export interface PortfolioMatrix {
  rows: MatrixRow[]
  columns: MatrixColumn[]
  /** `scores[row][column]` = matched / project features, 0 when they share nothing. */
  scores: number[][]
  /** Live instruments (after the filters) that match at least one project. */
  matchingInstruments: number
  /** Live instruments considered (after the filters). */
  consideredInstruments: number
}

/**
 * The automated version of the seed's manual mapping (D2.5, 2.2 and Annex 2): every project of a
 * portfolio against the live catalogue, at once.
 *
 * One pass over the eligible instruments in deadline order (soonest first, then name, the match
 * tie-break), scoring every project against each with two AND + popcount on the feature masks.
 * Because instruments arrive in tie-break order, a project's top-k list only has to compare
 * matched counts, and its best list equals the first k items of `POST /v1/match` for the same
 * features and filters. Cost: O(instruments x projects) word operations plus O(k) per improvement;
 * 200 projects x 10,000 instruments is 2 million cells, a few milliseconds.
 *
 * Columns are the union of the projects' best lists, ordered by how many projects they serve, then
 * by the best score they reach, then soonest deadline and name.
 */
export function computePortfolioMatrix(
  index: CatalogueIndex,
  projects: readonly ProjectRecord[],
  options: MatrixOptions,
  now: Date,
): PortfolioMatrix {
  const eligible = rankHits(
    index,
    searchCriteria({
      sort: 'deadline',
      ...(options.origin ? { origin: [...options.origin] } : {}),
      ...(options.country ? { country: [...options.country] } : {}),
      ...(options.kind ? { kind: [...options.kind] } : {}),
    }),
    now,
  ).positions
  const projectCount = projects.length
  const top = Math.max(1, options.top)
  const projectLo = new Uint32Array(projectCount)
  const projectHi = new Uint32Array(projectCount)
  const featureCount = new Uint8Array(projectCount)
  projects.forEach((project, row) => {
    const mask = featureMask(project.features)
    projectLo[row] = mask.lo
    projectHi[row] = mask.hi
    featureCount[row] = popcount(mask.lo) + popcount(mask.hi)
  })

  // Per project, its best positions and their matched counts, best first (flat arrays, `top` per row).
  const bestPosition = new Int32Array(projectCount * top)
  const bestCount = new Uint8Array(projectCount * top)
  const bestLength = new Uint8Array(projectCount)
  const matchingPerProject = new Uint32Array(projectCount)
  let matchingAny = 0

  // The matched count a project's next instrument must beat to enter its list (0 until it is full).
  const threshold = new Uint8Array(projectCount)
  const { maskLo, maskHi } = index

  for (let hit = 0; hit < eligible.length; hit++) {
    const position = eligible[hit] as number
    const lo = maskLo[position] as number
    const hi = maskHi[position] as number
    let matchesAny = false
    for (let row = 0; row < projectCount; row++) {
      const sharedLo = lo & (projectLo[row] as number)
      const sharedHi = hi & (projectHi[row] as number)
      if ((sharedLo | sharedHi) === 0) continue
      matchesAny = true
      matchingPerProject[row] = (matchingPerProject[row] as number) + 1
      const count = popcount(sharedLo) + popcount(sharedHi)
      // Strictly better only: on equal counts the instrument seen first (sooner deadline) stays ahead.
      if (count <= (threshold[row] as number)) continue
      const base = row * top
      const length = bestLength[row] as number
      let slot = length === top ? top - 1 : length
      while (slot > 0 && (bestCount[base + slot - 1] as number) < count) {
        bestCount[base + slot] = bestCount[base + slot - 1] as number
        bestPosition[base + slot] = bestPosition[base + slot - 1] as number
        slot--
      }
      bestCount[base + slot] = count
      bestPosition[base + slot] = position
      if (length < top) bestLength[row] = length + 1
      if ((bestLength[row] as number) === top) threshold[row] = bestCount[base + top - 1] as number
    }
    if (matchesAny) matchingAny++
  }

  // Columns: the union of the best lists.
  const bestFor = new Map<number, number>()
  const bestScore = new Map<number, number>()
  for (let row = 0; row < projectCount; row++) {
    for (let slot = 0; slot < (bestLength[row] as number); slot++) {
      const position = bestPosition[row * top + slot] as number
      const score = (bestCount[row * top + slot] as number) / (featureCount[row] as number)
      bestFor.set(position, (bestFor.get(position) ?? 0) + 1)
      bestScore.set(position, Math.max(bestScore.get(position) ?? 0, score))
    }
  }
  // Soonest next closing, as the eligible list and `POST /v1/match` order them.
  const deadlineRank = index.closing(now).rank
  const columnPositions = [...bestFor.keys()].sort(
    (a, b) =>
      (bestFor.get(b) as number) - (bestFor.get(a) as number) ||
      (bestScore.get(b) as number) - (bestScore.get(a) as number) ||
      (deadlineRank[a] as number) - (deadlineRank[b] as number),
  )
  const columnOf = new Map(columnPositions.map((position, column) => [position, column]))

  const scores: number[][] = projects.map((_, row) => {
    const lo = projectLo[row] as number
    const hi = projectHi[row] as number
    const features = featureCount[row] as number
    return columnPositions.map(
      (position) =>
        (popcount((index.maskLo[position] as number) & lo) +
          popcount((index.maskHi[position] as number) & hi)) /
        features,
    )
  })

  const rows: MatrixRow[] = projects.map((project, row) => {
    const best: MatrixBest[] = []
    for (let slot = 0; slot < (bestLength[row] as number); slot++) {
      const position = bestPosition[row * top + slot] as number
      best.push({
        column: columnOf.get(position) as number,
        score: (bestCount[row * top + slot] as number) / (featureCount[row] as number),
        matched: featureCodesOf(
          (index.maskLo[position] as number) & (projectLo[row] as number),
          (index.maskHi[position] as number) & (projectHi[row] as number),
        ),
      })
    }
    return { project, best, matchingInstruments: matchingPerProject[row] as number }
  })

  return {
    rows,
    columns: columnPositions.map((position) => ({
      record: index.record(position),
      bestFor: bestFor.get(position) as number,
    })),
    scores,
    matchingInstruments: matchingAny,
    consideredInstruments: eligible.length,
  }
}
