import { DomainError } from '../catalogue/errors'

/** An opaque pagination cursor was tampered with or belongs to another listing. */
export class InvalidCursor extends DomainError {
  constructor() {
    super('The cursor is not valid for this listing. Start again from the first page.')
  }
}

/** Pagination cursors are DynamoDB's LastEvaluatedKey, base64url-encoded JSON. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

/**
 * Decodes a cursor and checks it stays inside the listing it was issued for (`expected`
 * attributes must match), so a crafted cursor cannot page through another partition.
 */
export function decodeCursor(cursor: string, expected: Record<string, string>): Record<string, unknown> {
  let key: unknown
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw new InvalidCursor()
  }
  if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new InvalidCursor()
  const entries = Object.entries(key)
  const scalar = (value: unknown) =>
    typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
  if (entries.length === 0 || entries.length > 4 || !entries.every(([, value]) => scalar(value))) {
    throw new InvalidCursor()
  }
  for (const [name, value] of Object.entries(expected)) {
    if ((key as Record<string, unknown>)[name] !== value) throw new InvalidCursor()
  }
  return key as Record<string, unknown>
}
