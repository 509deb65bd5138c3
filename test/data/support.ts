import { stringify } from 'csv-stringify/sync'
import { withoutServerFields } from '../../shared/platform/server-owned'
import type { TestContext } from '../support/context'

/** A CSV file from header names and rows of cells (quoted where needed, as a spreadsheet saves it). */
export function csvFile(header: string[], rows: string[][]): string {
  return stringify([header, ...rows], { record_delimiter: 'windows' })
}

/** One row-layout record: the fields given, features as Y marks in their own columns. */
export const ROW_HEADER = [
  'externalId',
  'name',
  'description',
  'kind',
  'origin',
  'country',
  'url',
  'deadline',
  'targetOrganisations',
  'T1',
  'P3',
  'P12',
  'G14',
]

export function row(overrides: Partial<Record<(typeof ROW_HEADER)[number], string>> = {}): string[] {
  const values: Record<string, string> = {
    externalId: 'dk-cyber-1',
    name: 'Cyber resilience call',
    description: 'Grants for SMEs that build detection tools.',
    kind: 'call',
    origin: 'national',
    country: 'DK',
    url: 'https://innovationsfonden.dk/en',
    deadline: '2027-03-31',
    targetOrganisations: 'sme;startup',
    T1: 'Y',
    P3: '',
    P12: 'y',
    G14: '',
    ...overrides,
  }
  return ROW_HEADER.map((column) => values[column] ?? '')
}

export async function importCsv(
  t: TestContext,
  body: string,
  query = '',
  headers: Record<string, string> = {},
): Promise<Awaited<ReturnType<TestContext['call']>>> {
  return t.call('POST', `/v1/admin/imports${query ? `?${query}` : ''}`, {
    role: 'admin',
    body,
    headers: { 'content-type': 'text/csv', ...headers },
  })
}

/** Sends raw bytes (bad encodings, UTF-16) as an admin. */
export async function importBytes(t: TestContext, bytes: Uint8Array, query = '') {
  const response = await t.app.request(`/v1/admin/imports${query ? `?${query}` : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', authorization: `Bearer ${await t.token(['admin'])}` },
    body: bytes,
  })
  return { status: response.status, json: (await response.json()) as any }
}

/** The stored input fields of every live instrument, keyed by name, without server-owned fields. */
export async function catalogueInputs(t: TestContext): Promise<Map<string, Record<string, unknown>>> {
  const { records } = await t.store.loadCatalogue()
  return new Map(
    records.map((record) => [record.name, withoutServerFields(record) as Record<string, unknown>]),
  )
}
