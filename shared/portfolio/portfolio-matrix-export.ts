import { instrumentStatus } from '../catalogue/instrument'
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
  const lines = matrix.rows.map((row, index) =>
    [
      csvField(row.project.name),
      csvField(row.project.id),
      csvField(row.project.stage ?? ''),
      csvField(row.project.features.join(' ')),
      csvField(
        row.best
          .map((best) => `${matrix.columns[best.column]?.record.name} (${roundScore(best.score).toFixed(2)})`)
          .join('; '),
      ),
      // Scores are plain numbers: nothing to quote or neutralise, and 200 x 1,000 of them stay cheap.
      ...(matrix.scores[index] as number[]).map((score) => (score > 0 ? String(roundScore(score)) : '')),
    ].join(','),
  )
  return `${[header.map(csvField).join(','), ...lines].join('\r\n')}\r\n`
}

/** One RFC 4180 field, formula-neutralised, quoted when it holds a comma, quote or line break. */
function csvField(value: string): string {
  const safe = safeCell(value)
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab or CR) as a formula; names come from
 * users, so such cells are prefixed with an apostrophe (OWASP "CSV injection").
 */
export function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
}
