import { type FieldError, fieldErrors } from '../../platform/field-errors'
import {
  ImportFileError,
  ImportTooLarge,
  type InstrumentCsvLayout,
  MAX_IMPORT_RECORDS,
  type ParsedRecord,
  parseInstrumentCsv,
  type UnstatedField,
} from '../csv/instrument-csv'
import { contentOf, editedContent } from '../editing'
import { BusinessRuleViolation, DomainError } from '../errors'
import { assertDeadlineNotPast, InstrumentInput, type InstrumentRecord } from '../instrument'
import type { ChangeOutcome, InstrumentChange, InstrumentStore } from '../store/instrument-store'
import type { ImportMediaType } from './import-jobs'
import {
  describePosition,
  ImportRejected,
  type ImportReport,
  ImportRolledBack,
  MalformedJsonFile,
  type RecordOutcome,
  type RecordResult,
} from './import-report'

// The report's types and errors live in ./import-report.ts; callers may import them from here.
export * from './import-report'

/**
 * Imports a file of instruments (already parsed: `parseInstrumentCsv` or `parseInstrumentJson`).
 *
 * 1. Every record is validated (`InstrumentInput`, deadline not past, externalId unique in the file).
 * 2. Records are matched to the live catalogue: by `externalId` when given, else by the read-only
 *    `id` column of an export; an unmatched record is created.
 * 3. A matched record whose fields equal the stored ones is `unchanged` and not written, so
 *    re-importing a file changes nothing (not even the catalogue version). Fields the file has no
 *    place for (`ParsedRecord.unstated`) keep their stored values first. A changed record is an
 *    editor's replace in which only the fields it changes become the editor's (provenance).
 * 4. Writes go through `store.writeMany` in transactions within DynamoDB's limits, every change
 *    audited, each replace conditioned on the version just read (or the export's `version` column).
 *
 * Modes: `dryRun` does 1-3 and writes nothing. Otherwise valid records are written even when others
 * fail, unless `atomic`: then any failing record means nothing is written (`ImportRejected`), and a
 * failure at write time (a concurrent edit) undoes the transactions already committed (creations are
 * deleted into the archive, updates rewritten to their previous content, each audited) before
 * `ImportRolledBack` is thrown. Only if such an undo itself meets a concurrent edit does an atomic
 * import stay partly applied; the error then lists those instruments.
 */

export interface ImportProgress {
  phase: 'validating' | 'matching' | 'writing' | 'undoing'
  done: number
  total: number
}

export interface ImportOptions {
  dryRun?: boolean
  atomic?: boolean
  actor: string
  now: Date
  onProgress?: (progress: ImportProgress) => void
}

/** An uploaded file, as a CSV spreadsheet or a JSON array: the parsed records, nothing validated yet. */
export function parseImportFile(
  bytes: Uint8Array,
  mediaType: ImportMediaType,
): { layout: InstrumentCsvLayout | 'json'; records: ParsedRecord[] } {
  if (mediaType === 'text/csv') return parseInstrumentCsv(bytes)
  let body: unknown
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    throw new MalformedJsonFile()
  }
  return { layout: 'json', records: parseInstrumentJson(body) }
}

/** A JSON import body: an array of InstrumentInput-shaped objects (with optional read-only id/version/status). */
export function parseInstrumentJson(body: unknown): ParsedRecord[] {
  if (!Array.isArray(body)) {
    throw new ImportFileError('The JSON body must be an array of instruments.', [
      { path: 'body', message: 'must be an array' },
    ])
  }
  if (body.length === 0) throw new ImportFileError('The array is empty: there is nothing to import.')
  return body.map((item, index) => {
    const position = { row: index + 1 }
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return {
        position,
        input: {},
        errors: [{ path: '', message: 'must be an object' }],
        unreadable: true,
        columnOf: (path) => path,
      }
    }
    const { id, version, status: _status, ...input } = item as Record<string, unknown>
    const errors: FieldError[] = []
    if (id !== undefined && (typeof id !== 'string' || id.length > 64))
      errors.push({ path: 'id', message: 'must be a string' })
    if (version !== undefined && !(Number.isInteger(version) && (version as number) >= 1))
      errors.push({ path: 'version', message: 'must be a positive integer' })
    return {
      position,
      input,
      errors,
      columnOf: (path: string) => path,
      ...(typeof id === 'string' ? { id } : {}),
      ...(typeof version === 'number' ? { version } : {}),
    }
  })
}

/** A record that passed validation, by its index in the file. */
interface ValidRecord {
  index: number
  input: InstrumentInput
  id?: string
  version?: number
  unstated?: readonly UnstatedField[]
  columnOf(path: string): string
}

/** A write the import will make, and the index in the file of the record it comes from. */
interface PlannedWrite {
  index: number
  change: InstrumentChange
}

type Progress = (phase: ImportProgress['phase'], done: number, of?: number) => void

const INPUT_KEYS = Object.keys(InstrumentInput.shape) as (keyof InstrumentInput)[]

/** The fields an import writes, in a canonical form, to tell whether a record would change anything. */
function canonicalInput(input: Partial<InstrumentInput>): string {
  const picked: Record<string, unknown> = {}
  for (const key of INPUT_KEYS) if (input[key] !== undefined) picked[key] = input[key]
  return JSON.stringify(picked, (_key, value) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  )
}

export async function importInstruments(
  store: InstrumentStore,
  parsed: { layout: InstrumentCsvLayout | 'json'; records: ParsedRecord[] },
  options: ImportOptions,
): Promise<ImportReport> {
  const dryRun = options.dryRun ?? false
  const atomic = options.atomic ?? false
  const total = parsed.records.length
  assertImportSize(total)
  const progress: Progress = (phase, done, of = total) => options.onProgress?.({ phase, done, total: of })

  const { results, valid } = validateRecords(parsed.records, options.now)
  progress('validating', total)
  const finish = async (): Promise<ImportReport> =>
    report({ layout: parsed.layout, dryRun, atomic }, results, await store.catalogueVersion())
  if (atomic && valid.length < total && !dryRun) throw new ImportRejected(await finish())

  progress('matching', 0, valid.length)
  const stored = await findStored(store, valid)
  progress('matching', valid.length, valid.length)

  const planned = planWrites(valid, stored, results)
  if (dryRun) return finish()
  if (atomic && results.some((result) => result.outcome === 'failed'))
    throw new ImportRejected(await finish())

  progress('writing', 0, planned.length)
  const outcomes = await store.writeMany(
    planned.map(({ change }) => change),
    options.actor,
    options.now,
    (done) => progress('writing', done, planned.length),
  )
  const refused = recordWriteOutcomes(planned, outcomes, results)
  if (atomic && refused.length > 0) {
    const causes = refused.map((result) => ({ ...result }))
    const notUndone = await undo(store, planned, outcomes, options, progress)
    markUndone(planned, outcomes, results)
    throw new ImportRolledBack(await finish(), causes, notUndone)
  }
  return finish()
}

/**
 * An import done in parts that can each be re-run: what an import job does (./import-jobs.ts),
 * which a crash may stop between parts. The whole file is validated at once (so a duplicate
 * externalId is found across parts); then `importPart` matches and writes the records in
 * [from, to) and returns their results. A part re-run after a crash finds what the first run wrote
 * (by externalId, by the exported id, or by the id `idFor` gave a new record without either) and
 * counts it unchanged: nothing is created twice. Never atomic: parts commit as they go.
 */
export function prepareImport(
  parsed: { layout: InstrumentCsvLayout | 'json'; records: ParsedRecord[] },
  options: { now: Date; idFor?: (index: number) => string },
): {
  total: number
  importPart(
    store: InstrumentStore,
    from: number,
    to: number,
    write: { actor: string; dryRun?: boolean },
  ): Promise<RecordResult[]>
} {
  const total = parsed.records.length
  assertImportSize(total)
  const { results, valid } = validateRecords(parsed.records, options.now)
  return {
    total,
    async importPart(store, from, to, write) {
      const part = valid.filter((record) => record.index >= from && record.index < to)
      const stored = await findStored(store, part, options.idFor)
      const planned = planWrites(part, stored, results, options.idFor)
      if (!write.dryRun && planned.length > 0) {
        const outcomes = await store.writeMany(
          planned.map(({ change }) => change),
          write.actor,
          options.now,
        )
        recordWriteOutcomes(planned, outcomes, results)
      }
      return results.slice(from, to)
    },
  }
}

/** A file with no records, or more than one import takes (`MAX_IMPORT_RECORDS`), is refused whole. */
export function assertImportSize(total: number): void {
  if (total === 0) throw new ImportFileError('The file has a header but no instruments.')
  if (total > MAX_IMPORT_RECORDS) {
    throw new ImportTooLarge(
      `The file has ${total} instruments; one import takes at most ${MAX_IMPORT_RECORDS}. Split it into several files.`,
    )
  }
}

/** The report of an import: its records' outcomes, counted. */
function report(
  mode: Pick<ImportReport, 'layout' | 'dryRun' | 'atomic'>,
  results: RecordResult[],
  catalogueVersion: number,
): ImportReport {
  const count = (outcome: RecordOutcome) => results.filter((result) => result.outcome === outcome).length
  return {
    ...mode,
    total: results.length,
    created: count('created'),
    updated: count('updated'),
    unchanged: count('unchanged'),
    failed: count('failed'),
    catalogueVersion,
    records: results,
  }
}

/**
 * 1. Validates every record: its cells, the schema, the deadline, one record per externalId (or id).
 * Every record starts as `failed`, with its errors; the valid ones are returned for matching.
 */
function validateRecords(
  records: readonly ParsedRecord[],
  now: Date,
): { results: RecordResult[]; valid: ValidRecord[] } {
  const duplicates = duplicateErrors(records)
  const results: RecordResult[] = []
  const valid: ValidRecord[] = []
  records.forEach((record, index) => {
    const result: RecordResult = { ...record.position, outcome: 'failed' }
    results.push(result)
    const externalId = externalIdOf(record)
    if (externalId) result.externalId = externalId
    if (typeof record.input.name === 'string') result.name = record.input.name.trim()
    const errors: FieldError[] = record.errors.map((error) => ({ ...error }))
    const duplicate = duplicates[index]
    if (duplicate) errors.push(duplicate)
    const checked = InstrumentInput.safeParse(record.input)
    // A record that is not even an object has nothing more to report than that.
    if (!checked.success && !record.unreadable) {
      for (const error of fieldErrors(checked.error.issues)) {
        errors.push({ path: record.columnOf(error.path), message: error.message })
      }
    }
    if (checked.success) errors.push(...deadlineErrors(record, checked.data, now))
    if (errors.length > 0 || !checked.success) {
      result.errors = dedupeErrors(errors)
      return
    }
    valid.push({
      index,
      input: checked.data,
      columnOf: record.columnOf,
      ...(record.id ? { id: record.id } : {}),
      ...(record.version ? { version: record.version } : {}),
      ...(record.unstated ? { unstated: record.unstated } : {}),
    })
  })
  return { results, valid }
}

function externalIdOf(record: ParsedRecord): string | undefined {
  return typeof record.input.externalId === 'string' ? record.input.externalId.trim() : undefined
}

/** Per record, the error of repeating an earlier record's externalId (or, without one, its exported id). */
function duplicateErrors(records: readonly ParsedRecord[]): (FieldError | undefined)[] {
  const firstWithExternalId = new Map<string, number>()
  const firstWithId = new Map<string, number>()
  const where = (index: number) => describePosition(records[index]?.position ?? {})
  return records.map((record, index) => {
    const externalId = externalIdOf(record)
    if (externalId) {
      const first = firstWithExternalId.get(externalId)
      if (first === undefined) firstWithExternalId.set(externalId, index)
      else
        return {
          path: record.columnOf('externalId'),
          message: `duplicates ${where(first)}: externalIds must be unique in a file`,
        }
    } else if (record.id) {
      const first = firstWithId.get(record.id)
      if (first === undefined) firstWithId.set(record.id, index)
      else return { path: 'id', message: `duplicates ${where(first)}: one row per instrument` }
    }
    return undefined
  })
}

function deadlineErrors(record: ParsedRecord, input: InstrumentInput, now: Date): FieldError[] {
  try {
    assertDeadlineNotPast(input, now)
    return []
  } catch (error) {
    if (!(error instanceof BusinessRuleViolation)) throw error
    return error.errors.map((fieldError) => ({
      path: record.columnOf(fieldError.path),
      message: fieldError.message,
    }))
  }
}

/**
 * 2. Matches the valid records to the live catalogue: by externalId when given, else by the
 * exported id; returns each record's stored instrument (undefined: a new one). Batched reads.
 */
async function findStored(
  store: InstrumentStore,
  valid: readonly ValidRecord[],
  idFor?: (index: number) => string,
): Promise<(InstrumentRecord | undefined)[]> {
  const byExternalId = await store.findIdsByExternalIds(
    valid.flatMap((record) => (record.input.externalId ? [record.input.externalId] : [])),
  )
  const matchIds = valid.map((record) =>
    record.input.externalId
      ? byExternalId.get(record.input.externalId)
      : (record.id ?? idFor?.(record.index)),
  )
  const current = new Map(
    (await store.getMany(matchIds.filter((id): id is string => id !== undefined))).map((record) => [
      record.id,
      record,
    ]),
  )
  return matchIds.map((id) => (id ? current.get(id) : undefined))
}

/**
 * 3. Decides what each valid record does (created, updated, unchanged, or failed on a stale exported
 * version), records it in `results`, and returns the writes to make, in file order.
 */
function planWrites(
  valid: readonly ValidRecord[],
  stored: readonly (InstrumentRecord | undefined)[],
  results: RecordResult[],
  idFor?: (index: number) => string,
): PlannedWrite[] {
  const planned: PlannedWrite[] = []
  valid.forEach((record, position) => {
    const result = results[record.index] as RecordResult
    const current = stored[position]
    if (!current) {
      result.outcome = 'created'
      // Only a record nothing else identifies is created under a given id (see `prepareImport`).
      const id = record.input.externalId || record.id ? undefined : idFor?.(record.index)
      planned.push({
        index: record.index,
        change: { action: 'create', input: record.input, ...(id ? { id } : {}) },
      })
      return
    }
    result.id = current.id
    const kept = keepUnstated(record, current)
    if ('errors' in kept) {
      result.outcome = 'failed'
      result.errors = kept.errors
      return
    }
    const { input } = kept
    if (canonicalInput(input) === canonicalInput(current)) {
      result.outcome = 'unchanged'
      return
    }
    if (record.version !== undefined && record.version !== current.version) {
      result.outcome = 'failed'
      result.errors = [
        {
          path: 'version',
          message: `the row was exported at version ${record.version} but the instrument is now at version ${current.version}: someone changed it since; export again and reapply your edit`,
        },
      ]
      return
    }
    result.outcome = 'updated'
    // A row that changes an instrument is an editor's replace, with the same rules as a PUT, except
    // that the feature columns it merely carries along are no decision about the features.
    planned.push({
      index: record.index,
      change: {
        action: 'replace',
        current,
        input: editedContent(current, input, { confirmsFeatures: false }),
      },
    })
  })
  return planned
}

/**
 * The record's input with the stored values of the fields its file has no place for: a file
 * without a `cutOffs` column says nothing about cut-offs, so re-importing an export made before
 * the column existed neither drops them nor makes the deadline the editor's. Such a row cannot
 * move the deadline of a call with cut-offs (it must stay the last one), and is refused if it does.
 */
function keepUnstated(
  record: ValidRecord,
  current: InstrumentRecord,
): { input: InstrumentInput } | { errors: FieldError[] } {
  const unstated = (record.unstated ?? []).filter((field) => current[field] !== undefined)
  if (unstated.length === 0) return { input: record.input }
  const merged: Record<string, unknown> = { ...record.input }
  for (const field of unstated) merged[field] = current[field]
  const checked = InstrumentInput.safeParse(merged)
  if (checked.success) return { input: checked.data }
  // Cut-offs are the one field kept so far (`KEPT_WHEN_ABSENT`), and the deadline rule the one it can break.
  const kept = `this file has no cutOffs column, so the stored cut-offs stay, the last ${current.cutOffs?.at(-1)}; export again to get the column`
  return {
    errors: fieldErrors(checked.error.issues).map((error) => ({
      path: record.columnOf(error.path),
      message: `${error.message} (${kept})`,
    })),
  }
}

/** 4. Records the outcome of each write in `results`; returns the results of the refused writes. */
function recordWriteOutcomes(
  planned: readonly PlannedWrite[],
  outcomes: readonly ChangeOutcome[],
  results: RecordResult[],
): RecordResult[] {
  const refused: RecordResult[] = []
  outcomes.forEach((outcome, position) => {
    const result = results[(planned[position] as PlannedWrite).index] as RecordResult
    if (outcome.ok) {
      result.id = outcome.record.id
      return
    }
    result.outcome = 'failed'
    result.errors = [writeError(outcome)]
    refused.push(result)
  })
  return refused
}

/** After an undo, the records whose writes had succeeded are failed too: nothing of the import stays. */
function markUndone(
  planned: readonly PlannedWrite[],
  outcomes: readonly ChangeOutcome[],
  results: RecordResult[],
): void {
  planned.forEach(({ index }, position) => {
    if (!outcomes[position]?.ok) return
    const result = results[index] as RecordResult
    result.outcome = 'failed'
    result.errors = [{ path: '', message: 'not imported: another record failed and the import was undone' }]
  })
}

function writeError(outcome: Extract<ChangeOutcome, { ok: false }>): FieldError {
  const error = outcome.error
  const path =
    error.name === 'DuplicateExternalId' ? 'externalId' : error.name === 'VersionConflict' ? 'version' : ''
  return { path, message: error.message }
}

function dedupeErrors(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>()
  return errors.filter((error) => {
    const key = `${error.path}\u0000${error.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/** Undoes the committed changes of an atomic import; returns the ids it could not restore. */
async function undo(
  store: InstrumentStore,
  planned: readonly PlannedWrite[],
  outcomes: readonly ChangeOutcome[],
  options: ImportOptions,
  progress: Progress,
): Promise<string[]> {
  const actor = `${options.actor} (import undone)`
  const notUndone: string[] = []
  const written = planned
    .map(({ change }, position) => ({ change, outcome: outcomes[position] }))
    .filter((entry): entry is { change: InstrumentChange; outcome: Extract<ChangeOutcome, { ok: true }> } =>
      Boolean(entry.outcome?.ok),
    )
  let done = 0
  for (const { change, outcome } of written.reverse()) {
    try {
      if (change.action === 'create') {
        await store.archive(outcome.record.id, {
          expectedVersion: outcome.record.version,
          reason: 'deleted',
          actor,
          now: options.now,
        })
      } else {
        await store.replace(
          outcome.record.id,
          // Its annotations too: an undone import leaves a held instrument held.
          contentOf(change.current),
          outcome.record.version,
          actor,
          options.now,
        )
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error
      notUndone.push(outcome.record.id)
    }
    done += 1
    progress('undoing', done, written.length)
  }
  return notUndone
}
