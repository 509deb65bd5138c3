import { readFileSync } from 'node:fs'
import type { z } from 'zod'
import { InstrumentInput, type InstrumentRecord } from '../../shared/catalogue/instrument'
import type { ProjectInput } from '../../shared/portfolio/project'
import type { TestContext } from '../support/context'
import { instrumentBody } from '../support/factories'

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

let counter = 0

/** A valid project body; override what a test is about. */
export function projectBody(
  overrides: Partial<z.input<typeof ProjectInput>> = {},
): z.input<typeof ProjectInput> {
  counter += 1
  return {
    name: `Smart city sensing ${counter}`,
    summary: 'Detects incidents from city sensors.',
    features: ['T1', 'T14', 'P3'],
    country: 'DK',
    stage: 'prototype',
    tags: ['smart city'],
    ...overrides,
  }
}

export async function seedInstruments(
  t: TestContext,
  bodies: Parameters<typeof instrumentBody>[0][],
): Promise<InstrumentRecord[]> {
  const records: InstrumentRecord[] = []
  for (const body of bodies) {
    records.push(await t.store.create(InstrumentInput.parse(instrumentBody(body)), 'seeder', t.clock.now()))
  }
  return records
}
