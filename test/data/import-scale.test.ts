import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { syntheticSpreadsheet } from '../../scripts/lib/synthetic-spreadsheet'
import { createTestContext, type TestContext } from '../support/context'
import { importCsv } from './support'

const ROWS = 5_000

async function importInBackground(t: TestContext, file: string) {
  const submitted = await importCsv(t, file, '', { prefer: 'respond-async' })
  expect(submitted.status).toBe(202)
  const location = submitted.headers.get('location') as string
  for (;;) {
    const job = await t.call('GET', location, { role: 'admin' })
    if (job.json.state === 'succeeded' || job.json.state === 'failed') return job.json
    await sleep(200)
  }
}

describe('a 5,000-row import', () => {
  it('is past the synchronous bound (413), dry-runs in one request, imports in the background, then re-imports as all unchanged', async () => {
    const t = await createTestContext()
    const file = syntheticSpreadsheet(ROWS)
    expect(Buffer.byteLength(file)).toBeLessThan(t.config.maxImportBytes)

    const sync = await importCsv(t, file)
    expect(sync.status).toBe(413)
    expect(sync.json.detail).toMatch(/Prefer: respond-async/)
    const dryRun = await importCsv(t, file, 'dryRun=true')
    expect(dryRun.status).toBe(200)
    expect(dryRun.json).toMatchObject({ total: ROWS, created: ROWS, failed: 0 })
    expect(await t.store.catalogueVersion()).toBe(0)

    const first = await importInBackground(t, file)
    expect(first).toMatchObject({ state: 'succeeded', total: ROWS, processed: ROWS, attempts: 1 })
    expect(first.summary).toEqual({ created: ROWS, updated: 0, unchanged: 0, failed: 0 })
    expect(await t.store.catalogueVersion()).toBe(ROWS)
    expect((await t.store.loadCatalogue()).records).toHaveLength(ROWS)

    const again = await importInBackground(t, file)
    expect(again.summary).toEqual({ created: 0, updated: 0, unchanged: ROWS, failed: 0 })
    expect(await t.store.catalogueVersion()).toBe(ROWS)
  }, 240_000)
})
