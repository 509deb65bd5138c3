import type { FieldError } from '../../platform/field-errors'
import {
  columnLetter,
  isEmptyRow,
  looksLikeFormula,
  readCsvCells,
  restoreCell,
  spreadsheetCsv,
} from '../../platform/spreadsheet'
import { COUNTRY_CODES, countryName } from '../countries'
import { type FlatCells, flatFieldForPath, flatFieldOf, inputOf, isFlatListField } from '../flat-fields'
import type { Instrument } from '../instrument'
import { FEATURE_CODES, isFeatureCode } from '../taxonomy'
import {
  EXPORT_COLUMNS,
  FEATURES_COLUMN,
  ImportFileError,
  INPUT_COLUMNS,
  type InputColumn,
  KEPT_WHEN_ABSENT,
  type ParsedFile,
  type ParsedRecord,
  READ_ONLY_COLUMNS,
  type RecordPosition,
  type UnstatedField,
} from './layout'

/**
 * The one owner of the instruments' spreadsheet layout, in both directions: what the export writes
 * is exactly what the import reads, so an export re-imports without loss.
 *
 * Row layout (what the export writes):
 * - one header row, then one row per instrument;
 * - the contract's fields as columns (`INPUT_COLUMNS`); lists (`cutOffs`, `targetOrganisations`,
 *   `applicationDomains`) are separated by `;`; the budget is three columns
 *   (`budgetMin`, `budgetMax`, `budgetCurrency`);
 * - `cutOffs` holds every cut-off of a multiple cut-off call in one cell, date-times with their
 *   offset separated by `;` (`2027-01-20T17:00:00.000+01:00;2027-04-15T17:00:00.000+02:00`), the
 *   last one equal to `deadline`. It is a column, not left out, because the export must be lossless:
 *   without it an unedited synced call re-imports as a change that drops its cut-offs and makes its
 *   deadline the editor's, so the sync stops moving it. A file without the column (an export made
 *   before it existed) keeps the stored cut-offs: it says nothing about them (`ParsedRecord.unstated`);
 * - one column per feature code (`T1` ... `G14`): `Y` (any case) or `1` marks the feature, empty,
 *   `N` or `0` does not; a header may carry the label too (`T1 AI (ML)`). A `features` column of
 *   codes (separated by `;`, `,` or spaces) is accepted as well, and merged with the marks;
 * - the export adds read-only `id`, `status` and `version` columns. The importer never writes them:
 *   `status` is ignored; `id` matches a row without `externalId` to the instrument it was exported
 *   from; `version` is the version the row was exported at, so that re-importing an edited export
 *   over a newer edit is a per-row conflict rather than a silent overwrite.
 * Header names are matched case-insensitively; a column the layout does not know is an error (never
 * silently dropped), as is a header that names no known column.
 *
 * Matrix layout (how the seed D2.5 kept it, Figure 2 / Annex 2): instruments as columns and one
 * row per field or feature, with `Y` marks. It is recognised when the first cell is a field label
 * such as "Name of the instrument" and later rows start with feature codes (`T1 AI (ML)`, either in
 * the first column or after a category column). Field rows are labelled with a field name or one
 * of the seed's labels ("Link" = url, "Cover level" = origin with "EU" = international, and, when
 * a cover level row exists, "Origin" = the country, by name or code).
 *
 * Spreadsheet safety (CSV injection) is the rule of every export and import
 * (`shared/platform/spreadsheet.ts`): the export neutralises formula-like cells reversibly, the
 * importer restores them, and a raw cell that looks like a formula is refused for that row.
 *
 * A cell converts to and from its instrument field through `flat-fields.ts`, as the admin form does.
 */

// The layout's contract lives in ./layout.ts (light, for route contracts); callers may import it from here.
export * from './layout'

const REQUIRED_COLUMNS = ['name', 'kind', 'origin', 'url'] as const
const LIST_SEPARATOR = ';'

// ---------------------------------------------------------------------------------------------
// Export

function exportCells(instrument: Instrument): string[] {
  const features = new Set<string>(instrument.features)
  const cell = (column: InputColumn): string => {
    const value = flatFieldOf(instrument, column)
    return Array.isArray(value) ? value.join(LIST_SEPARATOR) : (value ?? '')
  }
  return [
    ...INPUT_COLUMNS.map(cell),
    ...FEATURE_CODES.map((code) => (features.has(code) ? 'Y' : '')),
    instrument.id,
    instrument.status,
    String(instrument.version),
  ]
}

/**
 * Instruments as CSV in the import layout: RFC 4180 (CRLF, quotes where needed), UTF-8 with a byte
 * order mark so that spreadsheets detect the encoding (the importer accepts it).
 */
export function instrumentsToCsv(instruments: readonly Instrument[]): string {
  return spreadsheetCsv([[...EXPORT_COLUMNS], ...instruments.map(exportCells)], { bom: true })
}

// ---------------------------------------------------------------------------------------------
// Import: bytes -> text -> cells -> records

/** Decodes UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else is refused. */
export function decodeCsv(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new ImportFileError('The file is empty.')
  let text: string
  try {
    if (bytes[0] === 0xff && bytes[1] === 0xfe)
      text = new TextDecoder('utf-16le', { fatal: true }).decode(bytes)
    else if (bytes[0] === 0xfe && bytes[1] === 0xff)
      text = new TextDecoder('utf-16be', { fatal: true }).decode(bytes)
    else text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new ImportFileError(
      'The file is not valid UTF-8 text. Save it as "CSV UTF-8" (or UTF-16 with a byte order mark) and try again.',
    )
  }
  text = text.replace(/^\uFEFF/, '')
  if (text.includes('\u0000')) {
    throw new ImportFileError(
      'The file contains NUL characters: it looks like UTF-16 without a byte order mark, or not text at all. Save it as "CSV UTF-8".',
    )
  }
  if (text.trim() === '') throw new ImportFileError('The file is empty.')
  return text
}

function parseCells(text: string): string[][] {
  try {
    return readCsvCells(text)
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new ImportFileError(`The file is not valid CSV: ${detail}`)
  }
}

/** Parses a CSV file (bytes as uploaded) in either layout. File-level problems throw `ImportFileError`. */
export function parseInstrumentCsv(input: Uint8Array | string): ParsedFile {
  const text = typeof input === 'string' ? input.replace(/^\uFEFF/, '') : decodeCsv(input)
  if (text.trim() === '') throw new ImportFileError('The file is empty.')
  const cells = parseCells(text)
  const header = cells[0]
  if (!header) throw new ImportFileError('The file is empty.')
  if (isMatrixLayout(cells)) return { layout: 'matrix', records: parseMatrix(cells) }
  return { layout: 'rows', records: parseRows(header, cells.slice(1)) }
}

// ---------------------------------------------------------------------------------------------
// Row layout

type ColumnRole =
  | { kind: 'field'; column: InputColumn }
  | { kind: 'feature'; code: string }
  | { kind: 'features' }
  | { kind: 'readOnly'; column: (typeof READ_ONLY_COLUMNS)[number] }
  | { kind: 'ignored' }

const FIELD_BY_LOWER = new Map<string, InputColumn>(
  INPUT_COLUMNS.map((column) => [column.toLowerCase(), column]),
)
const READ_ONLY_BY_LOWER = new Map(READ_ONLY_COLUMNS.map((column) => [column.toLowerCase(), column]))

/** `T1`, `t1` or `T1 AI (ML)`: the feature code a header or row label starts with. */
function featureCodeOf(label: string): string | undefined {
  const match = /^([A-Za-z]\d{1,2})(?:\s|$)/.exec(label.trim())
  const code = match?.[1]?.toUpperCase()
  return code && isFeatureCode(code) ? code : undefined
}

function columnRole(name: string): ColumnRole | undefined {
  const lower = name.trim().toLowerCase()
  const field = FIELD_BY_LOWER.get(lower)
  if (field) return { kind: 'field', column: field }
  const readOnly = READ_ONLY_BY_LOWER.get(lower)
  if (readOnly) return { kind: 'readOnly', column: readOnly }
  if (lower === FEATURES_COLUMN) return { kind: 'features' }
  const code = featureCodeOf(name)
  if (code) return { kind: 'feature', code }
  return undefined
}

function resolveHeader(header: string[], rows: string[][]): ColumnRole[] {
  const roles: ColumnRole[] = []
  const unknown: FieldError[] = []
  const seen = new Map<string, number>()
  header.forEach((rawName, index) => {
    const name = rawName.trim()
    const letter = columnLetter(index)
    if (name === '') {
      // Spreadsheets often save trailing empty columns; an unnamed column with data is not silently dropped.
      if (rows.some((row) => (row[index] ?? '').trim() !== '')) {
        unknown.push({ path: `column ${letter}`, message: 'has values but no header' })
      }
      roles.push({ kind: 'ignored' })
      return
    }
    const role = columnRole(name)
    if (!role) {
      unknown.push({ path: name, message: `unknown column (column ${letter})` })
      roles.push({ kind: 'ignored' })
      return
    }
    const key =
      role.kind === 'feature'
        ? role.code
        : role.kind === 'field' || role.kind === 'readOnly'
          ? role.column
          : role.kind
    const previous = seen.get(key)
    if (previous !== undefined) {
      unknown.push({
        path: name,
        message: `duplicate column (columns ${columnLetter(previous)} and ${letter})`,
      })
    }
    seen.set(key, index)
    roles.push(role)
  })

  const known = roles.filter((role) => role.kind !== 'ignored').length
  if (known === 0) {
    const delimiter = detectOtherDelimiter(header)
    if (delimiter) {
      throw new ImportFileError(
        `The file seems to use ${delimiter} as the delimiter; use commas (lists inside a cell use ";").`,
        [{ path: 'header', message: `columns must be separated by commas, not ${delimiter}` }],
      )
    }
    throw new ImportFileError(
      `The first row must be a header naming the columns (${REQUIRED_COLUMNS.join(', ')}, ..., T1 ... G14).`,
      [{ path: 'header', message: 'names no known column' }],
    )
  }
  if (unknown.length > 0) {
    throw new ImportFileError(
      `The header has ${unknown.length} column${unknown.length === 1 ? '' : 's'} this layout does not know; rename or remove ${unknown.length === 1 ? 'it' : 'them'}.`,
      unknown,
    )
  }
  const present = new Set(roles.map((role) => (role.kind === 'field' ? role.column : role.kind)))
  const missing: FieldError[] = REQUIRED_COLUMNS.filter((column) => !present.has(column)).map((column) => ({
    path: column,
    message: 'required column is missing',
  }))
  if (!present.has('feature') && !present.has('features')) {
    missing.push({
      path: 'features',
      message: 'a features column or feature code columns (T1 ... G14) are required',
    })
  }
  if (missing.length > 0) {
    throw new ImportFileError(
      `The header lacks required columns: ${missing.map((error) => error.path).join(', ')}.`,
      missing,
    )
  }
  return roles
}

function detectOtherDelimiter(header: string[]): string | undefined {
  const joined = header.join(',')
  if (joined.includes(';') && joined.split(';').some((part) => columnRole(part))) return '";"'
  if (joined.includes('\t') && joined.split('\t').some((part) => columnRole(part))) return 'tabs'
  if (joined.includes('|') && joined.split('|').some((part) => columnRole(part))) return '"|"'
  return undefined
}

/** Gathers one record's cells; empty cells mean absent. */
class RecordBuilder {
  readonly cells: FlatCells = {}
  readonly errors: FieldError[] = []
  private readonly features = new Set<string>()
  id: string | undefined
  version: number | undefined

  /** The raw cell: refused if it looks like a formula, else un-neutralised. */
  cell(column: string, raw: string): string | undefined {
    const trimmed = raw.trim()
    if (trimmed === '') return undefined
    if (looksLikeFormula(trimmed)) {
      this.errors.push({
        path: column,
        message: `starts with '${trimmed[0]}' like a spreadsheet formula; if it is text, start it with an apostrophe (')`,
      })
      return undefined
    }
    return restoreCell(raw)
  }

  field(column: InputColumn, value: string): void {
    if (isFlatListField(column)) this.cells[column] = value.split(LIST_SEPARATOR)
    else this.cells[column] = value
  }

  featureMark(code: string, column: string, value: string | undefined): void {
    const mark = (value ?? '').trim().toLowerCase()
    if (mark === 'y' || mark === '1') this.features.add(code)
    else if (mark !== '' && mark !== 'n' && mark !== '0') {
      this.errors.push({
        path: column,
        message: `'${value}' is not a mark: use Y or 1 for the feature, or leave empty`,
      })
    }
  }

  featureList(value: string): void {
    for (const code of value.split(/[;,\s]+/).filter(Boolean)) this.features.add(code.toUpperCase())
  }

  readOnly(column: (typeof READ_ONLY_COLUMNS)[number], value: string | undefined): void {
    if (value === undefined) return
    if (column === 'id') this.id = value.trim()
    if (column === 'version') {
      if (/^\s*[1-9]\d{0,8}\s*$/.test(value)) this.version = Number(value)
      else
        this.errors.push({
          path: 'version',
          message: 'must be a whole number (the version the row was exported at)',
        })
    }
  }

  build(
    position: RecordPosition,
    columnOf: (path: string) => string,
    unstated: readonly UnstatedField[],
  ): ParsedRecord {
    const { input, errors } = inputOf(this.cells)
    // Taxonomy order, so a file's feature order never counts as a change.
    input.features = [...this.features]
    return {
      position,
      input,
      errors: [...this.errors, ...errors],
      columnOf,
      ...(this.id ? { id: this.id } : {}),
      ...(this.version ? { version: this.version } : {}),
      ...(unstated.length > 0 ? { unstated } : {}),
    }
  }
}

/** The columns a file lacks whose stored values an update keeps (see `KEPT_WHEN_ABSENT`). */
function unstatedFields(columns: readonly (InputColumn | string)[]): UnstatedField[] {
  return KEPT_WHEN_ABSENT.filter((column) => !columns.includes(column))
}

function parseRows(header: string[], rows: string[][]): ParsedRecord[] {
  const roles = resolveHeader(header, rows)
  const unstated = unstatedFields(roles.flatMap((role) => (role.kind === 'field' ? [role.column] : [])))
  const records: ParsedRecord[] = []
  rows.forEach((cells, index) => {
    if (isEmptyRow(cells)) return
    const builder = new RecordBuilder()
    const row = index + 2
    if (cells.length > header.length && cells.slice(header.length).some((cell) => cell.trim() !== '')) {
      builder.errors.push({
        path: 'row',
        message: `has ${cells.length} cells but the header has ${header.length} columns (an unquoted comma?)`,
      })
    }
    roles.forEach((role, column) => {
      const name = header[column]?.trim() ?? ''
      if (role.kind === 'ignored') return
      const value = builder.cell(role.kind === 'feature' ? role.code : name, cells[column] ?? '')
      if (role.kind === 'feature') builder.featureMark(role.code, role.code, value)
      else if (value === undefined) return
      else if (role.kind === 'field') builder.field(role.column, value)
      else if (role.kind === 'features') builder.featureList(value)
      else builder.readOnly(role.column, value)
    })
    records.push(builder.build({ row }, flatFieldForPath, unstated))
  })
  return records
}

// ---------------------------------------------------------------------------------------------
// Matrix layout (the seed's: instruments as columns)

const MATRIX_FIELD_LABELS = new Map<string, InputColumn | 'coverLevel' | 'originOrCountry'>([
  ['name of the instrument', 'name'],
  ['name of instrument', 'name'],
  ['instrument', 'name'],
  ['link', 'url'],
  ['cover level (eu, national, regional)', 'coverLevel'],
  ['cover level', 'coverLevel'],
  ['application beyond security', 'applicationDomains'],
  ['origin', 'originOrCountry'],
])

function matrixFieldOf(label: string): InputColumn | 'coverLevel' | 'originOrCountry' | undefined {
  const lower = label.trim().toLowerCase()
  return MATRIX_FIELD_LABELS.get(lower) ?? FIELD_BY_LOWER.get(lower)
}

const CATEGORY_LABELS = new Set([
  'techniques',
  'technique',
  'process',
  'processes',
  'development support',
  'development',
  'general',
])

function isMatrixLayout(cells: string[][]): boolean {
  const first = cells[0] ?? []
  const firstLabel = (first[0] ?? '').trim()
  if (!firstLabel || !matrixFieldOf(firstLabel)) return false
  // A row layout header names several known columns; a matrix's first row names instruments.
  const knownInHeader = first.slice(1).filter((cell) => cell.trim() && columnRole(cell)).length
  if (knownInHeader > 0) return false
  return cells.slice(1).some((row) => featureCodeOf(row[0] ?? '') || featureCodeOf(row[1] ?? ''))
}

/** Built when a matrix file is first read: naming 249 countries costs a cold start milliseconds. */
let countriesByName: Map<string, string> | undefined
const countryByName = (name: string): string | undefined => {
  countriesByName ??= new Map([...COUNTRY_CODES].map((code) => [countryName(code).toLowerCase(), code]))
  return countriesByName.get(name)
}

function parseMatrix(cells: string[][]): ParsedRecord[] {
  const first = cells[0] as string[]
  // Data starts at the first filled cell after the label column (the seed leaves column B empty).
  const dataStart = Math.max(
    1,
    first.findIndex((cell, index) => index > 0 && cell.trim() !== ''),
  )
  const width = cells.reduce((widest, row) => Math.max(widest, row.length), 0)
  const hasCoverLevel = cells.some((row) => matrixFieldOf(row[0] ?? '') === 'coverLevel')

  type RowRole =
    | { kind: 'field'; field: InputColumn | 'coverLevel' | 'originOrCountry'; label: string }
    | { kind: 'feature'; code: string }
    | { kind: 'ignored' }
  const unknown: FieldError[] = []
  const roles: RowRole[] = cells.map((row, index) => {
    const labels = row.slice(0, dataStart).map((cell) => cell.trim())
    const hasData = row.slice(dataStart).some((cell) => cell.trim() !== '')
    for (const label of labels) {
      const code = featureCodeOf(label)
      if (code) return { kind: 'feature', code }
    }
    // Codes and labels in separate cells (`T1`, `AI (ML)`), as in the seed's second table.
    const joined = labels.filter(Boolean).join(' ')
    const code = featureCodeOf(joined)
    if (code) return { kind: 'feature', code }
    const label = labels.find((cell) => cell !== '' && !CATEGORY_LABELS.has(cell.toLowerCase())) ?? ''
    const field = label ? matrixFieldOf(label) : undefined
    if (field) return { kind: 'field', field, label }
    if (hasData)
      unknown.push({ path: joined || `row ${index + 1}`, message: `unknown row label (row ${index + 1})` })
    return { kind: 'ignored' }
  })
  if (unknown.length > 0) {
    throw new ImportFileError(
      `The matrix has ${unknown.length} row label${unknown.length === 1 ? '' : 's'} this layout does not know.`,
      unknown,
    )
  }
  const unstated = unstatedFields(roles.flatMap((role) => (role.kind === 'field' ? [role.field] : [])))

  const records: ParsedRecord[] = []
  for (let column = dataStart; column < width; column++) {
    if (cells.every((row) => (row[column] ?? '').trim() === '')) continue
    const builder = new RecordBuilder()
    roles.forEach((role, rowIndex) => {
      if (role.kind === 'ignored') return
      const raw = cells[rowIndex]?.[column] ?? ''
      const value = builder.cell(role.kind === 'feature' ? role.code : role.label, raw)
      if (role.kind === 'feature') {
        builder.featureMark(role.code, role.code, value)
        return
      }
      if (value === undefined) return
      if (role.field === 'coverLevel') {
        const level = value.trim().toLowerCase()
        builder.field('origin', level === 'eu' || level === 'european' ? 'international' : level)
      } else if (role.field === 'originOrCountry' && hasCoverLevel) {
        const country = value.trim()
        builder.field('country', countryByName(country.toLowerCase()) ?? country)
      } else if (role.field === 'originOrCountry') {
        builder.field('origin', value.trim().toLowerCase())
      } else if (role.field === 'applicationDomains') {
        // The seed writes "Y (environmental protection, construction)".
        const inner = /^\s*y\s*\((.*)\)\s*$/i.exec(value)?.[1] ?? value
        builder.cells.applicationDomains = inner.split(/[;,]/)
      } else builder.field(role.field, value)
    })
    records.push(builder.build({ column: column + 1 }, flatFieldForPath, unstated))
  }
  return records
}
