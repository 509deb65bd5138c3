/** The fields the server writes on every stored record (instruments, projects); clients never send them. */
export interface ServerOwnedFields {
  id: string
  /** Starts at 1, +1 on every change; the ETag is `"<version>"`. */
  version: number
  createdAt: string
  updatedAt: string
  createdBy: string
  updatedBy: string
}

const SERVER_OWNED = new Set<string>(['id', 'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy'])

/**
 * What a client could send back for a record it read: the record without the server-owned fields
 * (and without derived ones such as an instrument's `status`, named in `derived`).
 */
export function withoutServerFields<T extends object>(
  record: T,
  derived: readonly string[] = [],
): Omit<T, keyof ServerOwnedFields> {
  const content: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(record)) {
    if (!SERVER_OWNED.has(key) && !derived.includes(key)) content[key] = value
  }
  return content as Omit<T, keyof ServerOwnedFields>
}
