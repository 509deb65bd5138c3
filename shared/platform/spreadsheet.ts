import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'

/**
 * What every CSV file the service reads or writes has in common, whatever it holds (instruments,
 * the portfolio matrix, projects): the cell-safety rule, the writer, the reader and column letters.
 *
 * Spreadsheet safety (CSV injection): on export, a cell that a spreadsheet would evaluate as a
 * formula (it starts with `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with `'`; so is a
 * cell that already starts with `'` followed by such a character, which makes the escaping exactly
 * reversible: `restoreCell` removes exactly one such `'`, so an export re-imports without loss. A raw
 * cell in an imported file that looks like a formula (`=...`, `@...`, `+`/`-` followed by a letter
 * or symbol) is what a spreadsheet exports when it holds a formula, never data (`looksLikeFormula`).
 */

const FORMULA_START = /^'*[=+\-@\t\r]/

/** A cell a spreadsheet will not evaluate (see the module comment for why it is reversible). */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value
}

/** Reverses `neutraliseCell`. */
export function restoreCell(value: string): string {
  return /^'+[=+\-@\t\r]/.test(value) ? value.slice(1) : value
}

/** A raw imported cell that a spreadsheet would have evaluated: a formula, not data. */
export function looksLikeFormula(value: string): boolean {
  return /^[=@]/.test(value) || /^[+-][^\d\s.,]/.test(value)
}

/**
 * Rows of cells as a CSV file for spreadsheets: every cell neutralised, RFC 4180 (CRLF, quotes
 * where needed); with `bom`, a UTF-8 byte order mark so that spreadsheets detect the encoding.
 */
export function spreadsheetCsv(
  rows: readonly (readonly string[])[],
  options: { bom?: boolean } = {},
): string {
  return stringify(
    rows.map((row) => row.map(neutraliseCell)),
    { bom: options.bom ?? false, record_delimiter: 'windows' },
  )
}

/**
 * The cells of a CSV text, row by row. Empty rows are kept, so that a row's index + 1 is its row
 * number in the spreadsheet; rows may have different lengths. Throws csv-parse's `CsvError` on a
 * bad quote, for the caller to report in its own terms.
 */
export function readCsvCells(text: string, options: { delimiter?: string } = {}): string[][] {
  return parse(text, {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: false,
    ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
  }) as string[][]
}

/** A row of cells with nothing in it (spreadsheets save such rows between blocks). */
export function isEmptyRow(cells: readonly string[]): boolean {
  return cells.every((cell) => cell.trim() === '')
}

/** The spreadsheet's name of a 0-based column index: 0 -> A, 25 -> Z, 26 -> AA. */
export function columnLetter(index: number): string {
  let letters = ''
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters
  }
  return letters
}
