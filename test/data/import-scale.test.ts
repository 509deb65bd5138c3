import { describe, expect, it } from 'vitest'
import { FEATURE_CODES } from '../../shared/taxonomy'
import { createTestContext } from '../support/context'
import { csvFile, importCsv } from './support'

const ROWS = 5_000

/** A 5,000-row spreadsheet: every instrument with an externalId, a few features, a realistic description. */
function bigFile(): string {
  const header = [
    'externalId',
    'name',
    'description',
    'kind',
    'origin',
    'country',
    'url',
    'deadline',
    ...FEATURE_CODES,
  ]
  const rows = Array.from({ length: ROWS }, (_, index) => [
    `bulk-${index}`,
    `Bulk call ${index}`,
    `Support for SMEs developing security technology, batch ${index}. `.repeat(3),
    'call',
    'national',
    ['DK', 'NO', 'SE', 'FI', 'BE'][index % 5] as string,
    `https://funding.example.eu/calls/${index}`,
    `2027-0${(index % 9) + 1}-15`,
    ...FEATURE_CODES.map((_, code) => (code % 7 === index % 7 ? 'Y' : '')),
  ])
  return csvFile(header, rows)
}

describe('a 5,000-row import', () => {
  it('imports in one request within the default body limit, then re-imports as all unchanged', async () => {
    const t = await createTestContext()
    const file = bigFile()
    expect(Buffer.byteLength(file)).toBeLessThan(t.config.maxImportBytes)

    const first = await importCsv(t, file)
    expect(first.status).toBe(200)
    expect(first.json).toMatchObject({ total: ROWS, created: ROWS, failed: 0 })
    expect(await t.store.catalogueVersion()).toBe(ROWS)
    expect((await t.store.loadCatalogue()).records).toHaveLength(ROWS)

    const again = await importCsv(t, file)
    expect(again.json).toMatchObject({ unchanged: ROWS, created: 0, updated: 0 })
    expect(await t.store.catalogueVersion()).toBe(ROWS)
  }, 240_000)
})
