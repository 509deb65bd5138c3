import { instrumentStatus } from '../catalogue/instrument'
import { spreadsheetCsv } from '../platform/spreadsheet'
import type { PortfolioMatrix } from './portfolio-matrix'

/** Scores in the dense matrix are rounded to 4 decimals: 200 x 1,000 cells stay a small response. */
export function roundScore(score: number): number {
  return Math.round(score * 10_000) / 10_000
}

/** The matrix as the API returns it (JSON): columns as instrument summaries, cells by row and column. */
export function portfolioMatrixView(matrix: PortfolioMatrix, now: Date) {
  return {
    consideredInstruments: matrix.consideredInstruments,
    matchingInstruments: matrix.matchingInstruments,
    projects: matrix.rows.map((row) => ({
      id: row.project.id,
      name: row.project.name,
      ...(row.project.stage ? { stage: row.project.stage } : {}),
      features: row.project.features,
      matchingInstruments: row.matchingInstruments,
      best: row.best.map((best) => ({
        instrumentId: (matrix.columns[best.column] as PortfolioMatrix['columns'][number]).record.id,
        column: best.column,
        score: best.score,
        matched: best.matched,
      })),
    })),
    instruments: matrix.columns.map(({ record, bestFor }) => ({
      id: record.id,
      name: record.name,
      kind: record.kind,
      origin: record.origin,
      ...(record.country ? { country: record.country } : {}),
      ...(record.funder ? { funder: record.funder } : {}),
      ...(record.deadline ? { deadline: record.deadline } : {}),
      status: instrumentStatus(record, now),
      url: record.url,
      features: record.features,
      bestFor,
    })),
    scores: matrix.scores.map((row) => row.map(roundScore)),
  }
}

export type PortfolioMatrixView = ReturnType<typeof portfolioMatrixView>

/**
 * The matrix as a spreadsheet: one row per project, one column per instrument (`name [id]`), the
 * score in each cell (empty when they share no feature), and each project's best instruments.
 * Cells are neutralised like every export's (`shared/platform/spreadsheet.ts`): names come from users.
 */
export function portfolioMatrixCsv(matrix: PortfolioMatrix): string {
  const header = [
    'Project',
    'Project id',
    'Stage',
    'Features',
    'Best instruments',
    ...matrix.columns.map(({ record }) => `${record.name} [${record.id}]`),
  ]
  const rows = matrix.rows.map((row, index) => [
    row.project.name,
    row.project.id,
    row.project.stage ?? '',
    row.project.features.join(' '),
    row.best
      .map((best) => `${matrix.columns[best.column]?.record.name} (${roundScore(best.score).toFixed(2)})`)
      .join('; '),
    ...(matrix.scores[index] as number[]).map((score) => (score > 0 ? String(roundScore(score)) : '')),
  ])
  return spreadsheetCsv([header, ...rows])
}
