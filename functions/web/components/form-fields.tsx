import type { Child } from 'hono/jsx'
import type { FormValues } from '../lib/form-data'

/** What every field needs to show its value and, next to it, its own validation errors. */
export interface FieldState {
  values: FormValues
  errors: Partial<Record<string, string[]>>
}

export function fieldValue(state: FieldState, name: string): string {
  const value = state.values[name]
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '')
}

export function fieldValues(state: FieldState, name: string): string[] {
  const value = state.values[name]
  return Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]
}

/** The field's errors, with the id its control points to through aria-describedby. */
export function FieldErrors({ name, errors }: { name: string; errors?: string[] | undefined }) {
  if (!errors?.length) return null
  return (
    <p class="field-error" id={`${name}-error`}>
      {errors.map((message, index) => (
        <>
          {index > 0 ? <br /> : null}
          <span>{message}</span>
        </>
      ))}
    </p>
  )
}

function describedBy(name: string, hint: boolean, errors?: string[]): string | undefined {
  const ids = [hint ? `${name}-hint` : '', errors?.length ? `${name}-error` : ''].filter(Boolean)
  return ids.length > 0 ? ids.join(' ') : undefined
}

/** A field's label (marked when required) and its hint, which the control points to. */
function FieldLabel({
  name,
  label,
  required,
  hint,
}: {
  name: string
  label: string
  required?: boolean | undefined
  hint?: string | undefined
}) {
  return (
    <>
      <label for={`field-${name}`}>
        {label}
        {required ? <span class="muted"> (required)</span> : null}
      </label>
      {hint ? (
        <span class="hint" id={`${name}-hint`}>
          {hint}
        </span>
      ) : null}
    </>
  )
}

export function TextField({
  state,
  name,
  label,
  hint,
  type = 'text',
  required,
  multiline,
  autocomplete,
}: {
  state: FieldState
  name: string
  label: string
  hint?: string
  type?: 'text' | 'url' | 'date' | 'number' | 'search' | 'email'
  required?: boolean
  multiline?: boolean
  autocomplete?: string
}) {
  const errors = state.errors[name]
  const common = {
    id: `field-${name}`,
    name,
    required,
    'aria-invalid': errors?.length ? 'true' : undefined,
    'aria-describedby': describedBy(name, Boolean(hint), errors),
  }
  return (
    <div class="field">
      <FieldLabel name={name} label={label} required={required} hint={hint} />
      {multiline ? (
        <textarea {...common}>{fieldValue(state, name)}</textarea>
      ) : (
        <input {...common} type={type} value={fieldValue(state, name)} autocomplete={autocomplete ?? 'off'} />
      )}
      <FieldErrors name={name} errors={errors} />
    </div>
  )
}

export function SelectField({
  state,
  name,
  label,
  options,
  required,
  emptyLabel,
  hint,
}: {
  state: FieldState
  name: string
  label: string
  options: { value: string; label: string }[]
  required?: boolean
  emptyLabel?: string
  hint?: string
}) {
  const errors = state.errors[name]
  const current = fieldValue(state, name)
  return (
    <div class="field">
      <FieldLabel name={name} label={label} required={required} hint={hint} />
      <select
        id={`field-${name}`}
        name={name}
        required={required}
        aria-invalid={errors?.length ? 'true' : undefined}
        aria-describedby={describedBy(name, Boolean(hint), errors)}
      >
        {emptyLabel !== undefined ? <option value="">{emptyLabel}</option> : null}
        {options.map((option) => (
          <option value={option.value} selected={option.value === current}>
            {option.label}
          </option>
        ))}
      </select>
      <FieldErrors name={name} errors={errors} />
    </div>
  )
}

/** A group of checkboxes sharing one name (the form sends the name once per ticked box). */
export function CheckboxGroup({
  state,
  name,
  legend,
  options,
  children,
}: {
  state: FieldState
  name: string
  legend: string
  options: { value: string; label: string; extra?: Child }[]
  children?: Child
}) {
  const errors = state.errors[name]
  const ticked = new Set(fieldValues(state, name))
  return (
    <fieldset aria-describedby={errors?.length ? `${name}-error` : undefined}>
      <legend>{legend}</legend>
      {children}
      <ul class="feature-list">
        {options.map((option) => (
          <li>
            <label>
              <input type="checkbox" name={name} value={option.value} checked={ticked.has(option.value)} />
              {option.label}
            </label>
            {option.extra ?? null}
          </li>
        ))}
      </ul>
      <FieldErrors name={name} errors={errors} />
    </fieldset>
  )
}
