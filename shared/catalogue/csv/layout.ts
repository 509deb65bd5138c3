import type { FieldError } from '../../platform/field-errors'
import { DomainError } from '../errors'
import { FLAT_INSTRUMENT_FIELDS, type FlatField } from '../flat-fields'
import { FEATURE_CODES } from '../taxonomy'

/**
 * The instruments' spreadsheet layout as a contract: its columns, what a parsed record is, and the
 * errors of a file that cannot be read. The code that reads and writes files (./instrument-csv.ts,
 * with csv-parse and csv-stringify) imports this; route contracts and the error mapping import only
 * this, so a cold start that serves no CSV never loads the CSV code.
 */

export const INPUT_COLUMNS = FLAT_INSTRUMENT_FIELDS
export type InputColumn = FlatField

/** The columns whose absence from a file keeps the stored value, rather than removing it (see `ParsedRecord.unstated`). */
export const KEPT_WHEN_ABSENT = ['cutOffs'] as const satisfies readonly InputColumn[]
export type UnstatedField = (typeof KEPT_WHEN_ABSENT)[number]

/** Written by the export, never stored by the import (./instrument-csv.ts says what `id` and `version` do). */
export const READ_ONLY_COLUMNS = ['id', 'status', 'version'] as const
export const FEATURES_COLUMN = 'features'
export const EXPORT_COLUMNS = [...INPUT_COLUMNS, ...FEATURE_CODES, ...READ_ONLY_COLUMNS] as const

/** The two ways a file can lay out instruments (see above); a report says which one it found (./instrument-csv.ts describes both). */
export type InstrumentCsvLayout = 'rows' | 'matrix'

/** Where a record sits in the file: its spreadsheet row (header = row 1), or its column in the matrix layout. */
export interface RecordPosition {
  row?: number
  column?: number
}

/** One instrument as read from a file, before validation. */
export interface ParsedRecord {
  position: RecordPosition
  /** An InstrumentInput-shaped object (not yet validated). */
  input: Record<string, unknown>
  /** Read-only `id` column, if given. */
  id?: string
  /** Read-only `version` column, if given. */
  version?: number
  /**
   * Fields the file has no place for (a CSV without a `cutOffs` column: every export made before
   * the column existed): they say nothing about the instrument, so an update keeps the stored value.
   */
  unstated?: readonly UnstatedField[]
  /** Problems found while reading the cells (bad feature marks, formulas, cell counts). */
  errors: FieldError[]
  /** The record could not be read as an instrument at all (not an object): skip field validation. */
  unreadable?: boolean
  /** Maps a validation path of `input` (`budget.min`) to the file's column (`budgetMin`). */
  columnOf(path: string): string
}

export interface ParsedFile {
  layout: InstrumentCsvLayout
  records: ParsedRecord[]
}

/** The file as a whole cannot be read: nothing in it is imported. */
export class ImportFileError extends DomainError {
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message)
  }
}

/** Most records one import takes: enough for any catalogue, and a bound on one request's work. */
export const MAX_IMPORT_RECORDS = 10_000

/** More records than `MAX_IMPORT_RECORDS`: split the file. */
export class ImportTooLarge extends ImportFileError {}
