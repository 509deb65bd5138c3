import {
  FLAT_INSTRUMENT_FIELDS,
  FLAT_TEXT_FIELDS,
  type FlatCells,
  flatFieldForPath,
  flatFieldOf,
  inputOf,
} from '../../../shared/catalogue/flat-fields'
import type { InstrumentInput, InstrumentRecord } from '../../../shared/catalogue/instrument'
import { InstrumentInput as InstrumentInputSchema } from '../../../shared/catalogue/instrument'
import { type FieldError, fieldErrors } from '../../api/lib/problem'
import { type FormValues, list, text } from './form-data'

/**
 * The admin instrument form: its field names, how a submitted form becomes an `InstrumentInput`
 * (validated by the same zod schema as the API), and how each validation error finds its field.
 */
export const FORM_FIELDS = [...FLAT_INSTRUMENT_FIELDS, 'features'] as const
export type FormField = (typeof FORM_FIELDS)[number]

/** Errors per field; `form` holds those that belong to no single field. */
export type FormErrors = Partial<Record<FormField | 'form', string[]>>

export type ParsedForm = { ok: true; input: InstrumentInput } | { ok: false; errors: FormErrors }

/** The schema path of a zod issue -> the form field that shows it. */
export function fieldForPath(path: string): FormField | 'form' {
  const field = flatFieldForPath(path)
  return (FORM_FIELDS as readonly string[]).includes(field) ? (field as FormField) : 'form'
}

export function errorsByField(errors: readonly FieldError[]): FormErrors {
  const byField: FormErrors = {}
  for (const error of errors) {
    const field = fieldForPath(error.path)
    const messages = byField[field] ?? []
    byField[field] = messages
    if (!messages.includes(error.message)) messages.push(error.message)
  }
  return byField
}

/** Sent even when empty, so that the schema says what is wrong with them ("too small", not "required"). */
const ALWAYS_SENT = new Set<string>(['name', 'description', 'url'])

/** The form's fields as flat cells; an empty field is an absent one. */
function cellsOf(values: FormValues): FlatCells {
  const cells: FlatCells = {}
  for (const field of FLAT_TEXT_FIELDS) {
    const value = text(values, field)
    if (value !== '' || ALWAYS_SENT.has(field)) cells[field] = value
  }
  // The currency select always sends a value: the budget exists when an amount is given.
  if (cells.budgetMin === undefined && cells.budgetMax === undefined) delete cells.budgetCurrency
  else cells.budgetCurrency ||= 'EUR'
  const targetOrganisations = list(values, 'targetOrganisations')
  if (targetOrganisations.length > 0) cells.targetOrganisations = targetOrganisations
  // One per line: application domains, and the cut-offs of a multiple cut-off call.
  const applicationDomains = linesOf(values, 'applicationDomains')
  if (applicationDomains.length > 0) cells.applicationDomains = applicationDomains
  const cutOffs = linesOf(values, 'cutOffs')
  if (cutOffs.length > 0) cells.cutOffs = cutOffs
  return cells
}

function linesOf(values: FormValues, name: string): string[] {
  return text(values, name)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
}

/** Parses a submitted instrument form; empty fields count as absent. */
export function parseInstrumentForm(values: FormValues): ParsedForm {
  const { input, errors: cellErrors } = inputOf(cellsOf(values))
  const features = list(values, 'features')
  const result = InstrumentInputSchema.safeParse({ ...input, features })
  if (!result.success || cellErrors.length > 0) {
    const issues = result.success ? [] : fieldErrors(result.error.issues)
    const errors = errorsByField([...cellErrors, ...issues])
    if (features.length === 0) errors.features = ['tick at least one feature']
    return { ok: false, errors }
  }
  return { ok: true, input: result.data }
}

/** A stored instrument as the values of its edit form. */
export function formValuesOf(record: InstrumentRecord): FormValues {
  const values: FormValues = { features: [...record.features] }
  for (const field of FLAT_INSTRUMENT_FIELDS) {
    const value = flatFieldOf(record, field)
    if (value === undefined) continue
    // One application domain or cut-off a line; target organisations are checkboxes.
    values[field] = Array.isArray(value) && field !== 'targetOrganisations' ? value.join('\n') : value
  }
  return values
}
