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
