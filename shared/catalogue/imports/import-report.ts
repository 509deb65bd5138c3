import type { FieldError } from '../../platform/field-errors'
import { ImportFileError, type InstrumentCsvLayout, type RecordPosition } from '../csv/layout'
import { DomainError } from '../errors'

/**
 * What an import reports, and the errors that carry a report. Apart from ./import-instruments.ts
 * (which does the work, and re-exports all of this), the error mapping imports it on every cold
 * start, so it holds no import logic.
 */

export type RecordOutcome = 'created' | 'updated' | 'unchanged' | 'failed'

export interface RecordResult extends RecordPosition {
  outcome: RecordOutcome
  id?: string
  externalId?: string
  name?: string
  errors?: FieldError[]
}

export interface ImportReport {
  layout: InstrumentCsvLayout | 'json'
  dryRun: boolean
  atomic: boolean
  total: number
  created: number
  updated: number
  unchanged: number
  failed: number
  /** Catalogue version after the import (unchanged by a dry run or an import that changed nothing). */
  catalogueVersion: number
  /** One entry per record, in file order. */
  records: RecordResult[]
}

/** Atomic import refused before writing anything: some records are invalid. */
export class ImportRejected extends DomainError {
  constructor(readonly report: ImportReport) {
    super(
      `${report.failed} of ${report.total} record${report.total === 1 ? '' : 's'} failed validation; nothing was imported (atomic).`,
    )
  }
}

/** Atomic import failed while writing; what was written has been undone (see `notUndone`). */
export class ImportRolledBack extends DomainError {
  constructor(
    readonly report: ImportReport,
    /** The records whose writes were refused, with why. */
    readonly causes: RecordResult[],
    readonly notUndone: string[],
  ) {
    super(
      notUndone.length === 0
        ? `${causes.length} record${causes.length === 1 ? '' : 's'} could not be written (changed concurrently?); everything already written was undone (atomic).`
        : `${causes.length} record${causes.length === 1 ? '' : 's'} could not be written, and ${notUndone.length} instrument${notUndone.length === 1 ? '' : 's'} could not be restored because they changed concurrently: ${notUndone.join(', ')}.`,
    )
  }
}

/** Where a record is, for messages: `row 5` or `column C`. */
export function describePosition(position: RecordPosition): string {
  if (position.column !== undefined) return `column ${position.column}`
  return `row ${position.row}`
}

/** Errors of records, flattened as problem field errors (`row 5.deadline`, or `row 5` for the whole record). */
export function recordFieldErrors(records: readonly RecordResult[]): FieldError[] {
  return records.flatMap((record) =>
    (record.errors ?? []).map((error) => ({
      path: error.path ? `${describePosition(record)}.${error.path}` : describePosition(record),
      message: error.message,
    })),
  )
}

/** A JSON import body that is not JSON (or not UTF-8): the HTTP API answers it as malformed JSON. */
export class MalformedJsonFile extends ImportFileError {
  constructor() {
    super('The body is not valid JSON.', [{ path: 'body', message: 'must be a JSON array of instruments' }])
  }
}
