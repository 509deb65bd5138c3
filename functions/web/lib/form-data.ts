import type { Context } from 'hono'

/** A submitted form's text fields: one string, or an array when a name repeats (checkboxes). */
export type FormValues = Record<string, string | string[]>

/** Reads an urlencoded or multipart body; files are ignored (no form here uploads any). */
export async function readForm(c: Context): Promise<FormValues> {
  const type = c.req.header('content-type') ?? ''
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return {}
  const body = await c.req.parseBody({ all: true })
  const values: FormValues = {}
  for (const [key, value] of Object.entries(body)) {
    const texts = (Array.isArray(value) ? value : [value]).filter(
      (item): item is string => typeof item === 'string',
    )
    if (texts.length === 1) values[key] = texts[0] as string
    else if (texts.length > 1) values[key] = texts
  }
  return values
}

/** The field's single value, trimmed (the last one if repeated); '' when absent. */
export function text(values: FormValues, name: string): string {
  const value = values[name]
  const last = Array.isArray(value) ? value[value.length - 1] : value
  return (last ?? '').trim()
}

/** Every value of a repeated field (checkboxes), trimmed, empty ones dropped. */
export function list(values: FormValues, name: string): string[] {
  const value = values[name]
  return (Array.isArray(value) ? value : value === undefined ? [] : [value])
    .map((item) => item.trim())
    .filter(Boolean)
}
