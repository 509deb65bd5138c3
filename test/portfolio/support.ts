import { readFileSync } from 'node:fs'
import type { TestContext } from '../support/context'

export const ANNEX_2_OPEN_CALL_1 = readFileSync(
  new URL('../fixtures/annex-2-open-call-1.csv', import.meta.url),
  'utf8',
)

export interface CallOptions {
  /** The `custom:org` claim; `null` for a token without one. */
  org?: string | null
  role?: 'editor' | 'admin' | 'none'
  body?: unknown
  csv?: string
  headers?: Record<string, string>
}

/** Calls the app as a member of an organisation (editor by default), with JSON or CSV bodies. */
export function portfolioCaller(t: TestContext) {
  return async (method: string, path: string, options: CallOptions = {}) => {
    const roles = options.role === 'none' ? [] : [options.role ?? 'editor']
    const token = await t.token({ roles, ...(options.org === null ? {} : { org: options.org ?? 'ACME' }) })
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      ...(options.csv === undefined ? {} : { 'content-type': 'text/csv' }),
      ...options.headers,
    }
    return t.call(method, path, { headers, body: options.csv ?? options.body })
  }
}
