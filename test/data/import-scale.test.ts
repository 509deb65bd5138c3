import { describe, expect, it } from 'vitest'
import { syntheticSpreadsheet } from '../../scripts/lib/synthetic-spreadsheet'
import { createTestContext } from '../support/context'
import { importCsv } from './support'

const ROWS = 5_000

describe('a 5,000-row import', () => {
  it('imports in one request within the default body limit, then re-imports as all unchanged', async () => {
    const t = await createTestContext()
    const file = syntheticSpreadsheet(ROWS)
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
