import type { InstrumentInput, InstrumentRecord } from '../../../shared/catalogue/instrument'
import {
  FLAT_INSTRUMENT_FIELDS,
  InstrumentInput as InstrumentInputSchema,
} from '../../../shared/catalogue/instrument'
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

function optionalText(values: FormValues, name: string): string | undefined {
  return text(values, name) || undefined
}

/** The schema path of a zod issue -> the form field that shows it. */
export function fieldForPath(path: string): FormField | 'form' {
  const [head, second] = path.split('.')
  if (head === 'budget') {
    if (second === 'max') return 'budgetMax'
    if (second === 'currency') return 'budgetCurrency'
    return 'budgetMin'
  }
  return (FORM_FIELDS as readonly string[]).includes(head ?? '') ? (head as FormField) : 'form'
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

function amount(raw: string, field: FormField, errors: FieldError[]): number | undefined {
  if (raw === '') return undefined
  const value = Number(raw.replace(/[\s_,]/g, ''))
  if (!Number.isFinite(value)) {
    errors.push({ path: field, message: 'must be a number, such as 250000' })
    return undefined
  }
  return value
}

/** Parses a submitted instrument form; empty fields count as absent. */
export function parseInstrumentForm(values: FormValues): ParsedForm {
  const preErrors: FieldError[] = []
  const budgetMin = amount(text(values, 'budgetMin'), 'budgetMin', preErrors)
  const budgetMax = amount(text(values, 'budgetMax'), 'budgetMax', preErrors)
  const currency = text(values, 'budgetCurrency').toUpperCase()
  const budget =
    budgetMin !== undefined || budgetMax !== undefined
      ? { min: budgetMin, max: budgetMax, currency: currency || 'EUR' }
      : undefined
  const applicationDomains = text(values, 'applicationDomains')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
  const targetOrganisations = list(values, 'targetOrganisations')
  const candidate = {
    externalId: optionalText(values, 'externalId'),
    name: text(values, 'name'),
    description: text(values, 'description'),
    kind: optionalText(values, 'kind'),
    origin: optionalText(values, 'origin'),
    country: optionalText(values, 'country'),
    region: optionalText(values, 'region'),
    funder: optionalText(values, 'funder'),
    programme: optionalText(values, 'programme'),
    url: text(values, 'url'),
    opensAt: optionalText(values, 'opensAt'),
    deadline: optionalText(values, 'deadline'),
    periodicity: optionalText(values, 'periodicity'),
    budget: budget && {
      ...(budget.min === undefined ? {} : { min: budget.min }),
      ...(budget.max === undefined ? {} : { max: budget.max }),
      currency: budget.currency,
    },
    targetOrganisations: targetOrganisations.length > 0 ? targetOrganisations : undefined,
    features: list(values, 'features'),
    applicationDomains: applicationDomains.length > 0 ? applicationDomains : undefined,
  }
  const withoutUndefined = Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined))
  const result = InstrumentInputSchema.safeParse(withoutUndefined)
  if (!result.success || preErrors.length > 0) {
    const issues = result.success ? [] : fieldErrors(result.error.issues)
    const errors = errorsByField([...preErrors, ...issues])
    if (list(values, 'features').length === 0) errors.features = ['tick at least one feature']
    return { ok: false, errors }
  }
  return { ok: true, input: result.data }
}

/** A stored instrument as the values of its edit form. */
export function formValuesOf(record: InstrumentRecord): FormValues {
  const values: FormValues = {
    name: record.name,
    description: record.description ?? '',
    kind: record.kind,
    origin: record.origin,
    url: record.url,
    features: [...record.features],
  }
  const optional: [string, string | undefined][] = [
    ['externalId', record.externalId],
    ['country', record.country],
    ['region', record.region],
    ['funder', record.funder],
    ['programme', record.programme],
    ['opensAt', record.opensAt],
    ['deadline', record.deadline],
    ['periodicity', record.periodicity],
    ['budgetMin', record.budget?.min?.toString()],
    ['budgetMax', record.budget?.max?.toString()],
    ['budgetCurrency', record.budget?.currency],
    ['applicationDomains', record.applicationDomains?.join('\n')],
  ]
  for (const [key, value] of optional) if (value !== undefined) values[key] = value
  if (record.targetOrganisations) values.targetOrganisations = [...record.targetOrganisations]
  return values
}
