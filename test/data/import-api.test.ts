import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { createTestContext } from '../support/context'
import { instrumentBody, instrumentInput } from '../support/factories'
import { catalogueInputs, csvFile, importBytes, importCsv, ROW_HEADER, row } from './support'

const MATRIX_FIXTURE = new URL('./fixtures/d2-5-matrix.csv', import.meta.url)

describe('POST /v1/admin/imports (CSV)', () => {
  it('creates instruments from a spreadsheet with Y marks per feature, audited, and reports each row', async () => {
    const t = await createTestContext()
    const file = csvFile(ROW_HEADER, [
      row(),
      row({
        externalId: 'no-cyber-2',
        name: 'Norwegian pilot',
        country: 'NO',
        T1: '',
        P3: '1',
        P12: '',
        G14: 'Y',
      }),
    ])
    const result = await importCsv(t, file)
    expect(result.status).toBe(200)
    expect(result.json).toMatchObject({
      layout: 'rows',
      total: 2,
      created: 2,
      updated: 0,
      unchanged: 0,
      failed: 0,
    })
    expect(result.json.records.map((r: any) => [r.row, r.outcome])).toEqual([
      [2, 'created'],
      [3, 'created'],
    ])
    const stored = await t.store.get(result.json.records[0].id)
    expect(stored).toMatchObject({
      externalId: 'dk-cyber-1',
      features: ['T1', 'P12'],
      targetOrganisations: ['sme', 'startup'],
      createdBy: 'tester',
    })
    expect((await t.store.get(result.json.records[1].id))?.features).toEqual(['P3', 'G14'])
    const audit = await t.store.listAudit({ limit: 10 })
    expect(audit.items.map((event) => event.action)).toEqual(['created', 'created'])
    expect(await t.store.catalogueVersion()).toBe(2)
  })

  it('re-importing the same file changes nothing: every row unchanged, catalogue version the same', async () => {
    const t = await createTestContext()
    const file = csvFile(ROW_HEADER, [row(), row({ externalId: 'x-2', name: 'Second' })])
    expect((await importCsv(t, file)).json.created).toBe(2)
    const version = await t.store.catalogueVersion()
    const again = await importCsv(t, file)
    expect(again.json).toMatchObject({
      created: 0,
      updated: 0,
      unchanged: 2,
      failed: 0,
      catalogueVersion: version,
    })
    expect(await t.store.catalogueVersion()).toBe(version)
  })

  it('matches rows by externalId: a changed row updates that instrument (version + 1) instead of duplicating', async () => {
    const t = await createTestContext()
    const first = await importCsv(t, csvFile(ROW_HEADER, [row()]))
    const id = first.json.records[0].id
    const second = await importCsv(t, csvFile(ROW_HEADER, [row({ name: 'Renamed call', G14: 'Y' })]))
    expect(second.json).toMatchObject({ created: 0, updated: 1 })
    expect(second.json.records[0].id).toBe(id)
    expect(await t.store.get(id)).toMatchObject({
      name: 'Renamed call',
      version: 2,
      features: ['T1', 'P12', 'G14'],
    })
    expect((await t.store.loadCatalogue()).records).toHaveLength(1)
  })

  it('a dry run validates and matches everything and writes nothing', async () => {
    const t = await createTestContext()
    await importCsv(t, csvFile(ROW_HEADER, [row()]))
    const version = await t.store.catalogueVersion()
    const file = csvFile(ROW_HEADER, [
      row({ name: 'Changed' }),
      row({ externalId: 'new-1' }),
      row({ externalId: 'bad', url: 'nope' }),
    ])
    const result = await importCsv(t, file, 'dryRun=true')
    expect(result.status).toBe(200)
    expect(result.json).toMatchObject({
      dryRun: true,
      updated: 1,
      created: 1,
      failed: 1,
      catalogueVersion: version,
    })
    expect(await t.store.catalogueVersion()).toBe(version)
    expect((await t.store.loadCatalogue()).records).toHaveLength(1)
    expect(await t.store.findIdByExternalId('new-1')).toBeUndefined()
  })

  it('writes the valid rows and reports the failing ones with row numbers and field errors', async () => {
    const t = await createTestContext()
    const file = csvFile(ROW_HEADER, [
      row({ externalId: 'ok-1' }),
      row({ externalId: 'bad-1', country: '', deadline: '2020-01-01' }),
      row({ externalId: 'ok-2', name: 'Also fine' }),
      row({ externalId: 'bad-2', T1: 'maybe', P12: '' }),
    ])
    const result = await importCsv(t, file)
    expect(result.status).toBe(200)
    expect(result.json).toMatchObject({ created: 2, failed: 2 })
    const failures = result.json.records.filter((r: any) => r.outcome === 'failed')
    expect(failures[0]).toMatchObject({ row: 3, externalId: 'bad-1' })
    expect(failures[0].errors.map((e: any) => e.path)).toEqual(['country'])
    expect(failures[1]).toMatchObject({ row: 5, externalId: 'bad-2' })
    expect(failures[1].errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'T1', message: expect.stringContaining('not a mark') }),
        expect.objectContaining({ path: 'features' }),
      ]),
    )
    expect((await t.store.loadCatalogue()).records.map((r) => r.externalId).sort()).toEqual(['ok-1', 'ok-2'])
  })

  it('a past deadline is a row error naming the deadline column', async () => {
    const t = await createTestContext()
    const result = await importCsv(t, csvFile(ROW_HEADER, [row({ deadline: '2026-11-21' })]))
    expect(result.json.records[0]).toMatchObject({
      outcome: 'failed',
      errors: [
        expect.objectContaining({ path: 'deadline', message: expect.stringContaining('in the past') }),
      ],
    })
  })

  it('atomic: one bad row means 422 listing it, and nothing is written', async () => {
    const t = await createTestContext()
    const file = csvFile(ROW_HEADER, [row({ externalId: 'ok-1' }), row({ externalId: 'bad', kind: 'grant' })])
    const result = await importCsv(t, file, 'atomic=true')
    expect(result.status).toBe(422)
    expect(result.headers.get('content-type')).toContain('application/problem+json')
    expect(result.json.errors).toEqual([expect.objectContaining({ path: 'row 3.kind' })])
    expect(await t.store.catalogueVersion()).toBe(0)
    expect((await t.store.loadCatalogue()).records).toHaveLength(0)
  })

  it('atomic: a valid file is written in full', async () => {
    const t = await createTestContext()
    const rows = Array.from({ length: 40 }, (_, index) =>
      row({ externalId: `a-${index}`, name: `Call ${index}` }),
    )
    const result = await importCsv(t, csvFile(ROW_HEADER, rows), 'atomic=true')
    expect(result.status).toBe(200)
    expect(result.json).toMatchObject({ created: 40, failed: 0 })
    expect(await t.store.catalogueVersion()).toBe(40)
  })

  it('duplicate externalIds in one file: the later rows fail, pointing at the first', async () => {
    const t = await createTestContext()
    const file = csvFile(ROW_HEADER, [row(), row({ name: 'Copy' }), row({ name: 'Another copy' })])
    const result = await importCsv(t, file)
    expect(result.json).toMatchObject({ created: 1, failed: 2 })
    expect(result.json.records[1].errors).toEqual([
      { path: 'externalId', message: expect.stringContaining('duplicates row 2') },
    ])
    expect(result.json.records[2].errors[0].message).toContain('duplicates row 2')
  })

  it('matches an exported row without externalId by its id, and refuses an edit made over a newer version', async () => {
    const t = await createTestContext()
    const created = await t.store.create(instrumentInput(), 'editor', t.clock.now())
    const exported = await t.call('GET', '/v1/exports/instruments.csv')
    // Someone edits the instrument after the export...
    await t.store.replace(created.id, { ...created, name: 'Edited meanwhile' }, 1, 'editor', t.clock.now())
    // ...and the admin re-imports the (now stale) export with a change of their own.
    const edited = exported.text.replace(created.name, 'My edit')
    const result = await importCsv(t, edited)
    expect(result.json.records[0]).toMatchObject({
      outcome: 'failed',
      id: created.id,
      errors: [expect.objectContaining({ path: 'version', message: expect.stringContaining('version 1') })],
    })
    expect((await t.store.get(created.id))?.name).toBe('Edited meanwhile')
  })

  it('imports the D2.5 matrix layout (instruments as columns, a row per feature) with the right features', async () => {
    const t = await createTestContext()
    const file = await readFile(MATRIX_FIXTURE, 'utf8')
    const result = await importCsv(t, file)
    expect(result.status).toBe(200)
    expect(result.json).toMatchObject({ layout: 'matrix', total: 3, created: 3, failed: 0 })
    expect(result.json.records.map((r: any) => r.column)).toEqual([3, 4, 5])
    const byName = await catalogueInputs(t)
    expect(byName.get('Start-up (start) Lithuania')).toMatchObject({
      kind: 'programme',
      origin: 'national',
      country: 'LT',
      externalId: 'lt-startup',
      features: ['T8', 'P3', 'G3', 'G5'],
    })
    expect(byName.get('InoStartas')).toMatchObject({
      deadline: '2027-05-31',
      features: ['T1', 'T9', 'D2', 'G14'],
      applicationDomains: ['environmental protection', 'construction'],
    })
    expect(byName.get('EU Cyber Booster')).toMatchObject({
      origin: 'international',
      deadline: '2027-03-15T17:00:00+01:00',
      features: ['T1', 'T9', 'P3', 'P12'],
    })
    expect(byName.get('EU Cyber Booster')).not.toHaveProperty('country')
    // and again: unchanged
    expect((await importCsv(t, file)).json.unchanged).toBe(3)
  })

  it('accepts a features column of codes, a UTF-8 BOM, quoted newlines and labelled feature headers', async () => {
    const t = await createTestContext()
    const file = `\uFEFF${csvFile(
      ['name', 'kind', 'origin', 'url', 'description', 'features', 'T1 AI (ML)'],
      [
        [
          'Quoted "call"',
          'programme',
          'international',
          'https://example.eu/a',
          'Line one\nline two, with comma',
          'p3; g14',
          'Y',
        ],
      ],
    )}`
    const result = await importCsv(t, file)
    expect(result.json).toMatchObject({ created: 1, failed: 0 })
    expect(await t.store.get(result.json.records[0].id)).toMatchObject({
      name: 'Quoted "call"',
      description: 'Line one\nline two, with comma',
      features: ['T1', 'P3', 'G14'],
    })
  })

  it('accepts UTF-16 with a byte order mark (Excel "Unicode text" CSV)', async () => {
    const t = await createTestContext()
    const text = `\uFEFF${csvFile(ROW_HEADER, [row({ name: 'Société générale de sécurité' })])}`
    const bytes = new Uint8Array(Buffer.from(text, 'utf16le'))
    const result = await importBytes(t, bytes)
    expect(result.status).toBe(200)
    expect((await t.store.get(result.json.records[0].id))?.name).toBe('Société générale de sécurité')
  })

  it('refuses a raw cell that a spreadsheet would evaluate as a formula, but keeps an apostrophe-escaped one', async () => {
    const t = await createTestContext()
    const file = csvFile(ROW_HEADER, [
      row({ externalId: 'f-1', name: '=HYPERLINK("http://evil.example","click")' }),
      row({ externalId: 'f-2', description: '+cmd|" /C calc"!A0' }),
      row({ externalId: 'f-3', name: "'=1+1 is text" }),
      row({ externalId: 'f-4', description: '- a bullet, and -5% is fine' }),
    ])
    const result = await importCsv(t, file)
    expect(result.json.records.map((r: any) => r.outcome)).toEqual(['failed', 'failed', 'created', 'created'])
    expect(result.json.records[0].errors[0]).toMatchObject({
      path: 'name',
      message: expect.stringContaining('formula'),
    })
    expect(result.json.records[1].errors[0]).toMatchObject({ path: 'description' })
    expect((await t.store.get(result.json.records[2].id))?.name).toBe('=1+1 is text')
  })

  describe('file-level problems are a 400 naming the cause, and write nothing', () => {
    const cases: [string, string, RegExp][] = [
      ['an empty file', '', /empty/],
      ['only blank lines', '\r\n\r\n', /empty/],
      ['a header but no rows', `${ROW_HEADER.join(',')}\r\n`, /no instruments/],
      ['semicolons as delimiter', csvFile(ROW_HEADER, [row()]).replaceAll(',', ';'), /delimiter/],
      ['tabs as delimiter', csvFile(ROW_HEADER, [row()]).replaceAll(',', '\t'), /delimiter/],
      ['no header row', csvFile(row(), [row()]), /header/],
      ['an unknown column', csvFile([...ROW_HEADER, 'colour'], [[...row(), 'red']]), /does not know/],
      ['a duplicate column', csvFile([...ROW_HEADER, 'name'], [[...row(), 'x']]), /does not know/],
      [
        'a required column missing',
        csvFile(['name', 'kind', 'origin', 'T1'], [['a', 'call', 'international', 'Y']]),
        /url/,
      ],
      ['an unclosed quote', `${ROW_HEADER.join(',')}\r\nx,"unclosed,call`, /not valid CSV/],
    ]
    for (const [label, body, detail] of cases) {
      it(label, async () => {
        const t = await createTestContext()
        const result = await importCsv(t, body)
        expect(result.status, JSON.stringify(result.json)).toBe(400)
        expect(result.json.detail).toMatch(detail)
        expect(result.json.errors.length).toBeGreaterThan(0)
        expect(await t.store.catalogueVersion()).toBe(0)
      })
    }

    it('names each unknown column', async () => {
      const t = await createTestContext()
      const result = await importCsv(t, csvFile([...ROW_HEADER, 'colour', 'T99'], [[...row(), 'red', 'Y']]))
      expect(result.json.errors.map((e: any) => e.path)).toEqual(['colour', 'T99'])
    })

    it('bytes that are not UTF-8', async () => {
      const t = await createTestContext()
      const latin1 = new Uint8Array(Buffer.from(csvFile(ROW_HEADER, [row({ name: 'Société' })]), 'latin1'))
      const result = await importBytes(t, latin1)
      expect(result.status).toBe(400)
      expect(result.json.detail).toMatch(/UTF-8/)
    })

    it('a row with more cells than the header is a row error', async () => {
      const t = await createTestContext()
      const result = await importCsv(t, `${ROW_HEADER.join(',')}\r\n${row().join(',')},extra,cells\r\n`)
      expect(result.json.records[0]).toMatchObject({ row: 2, outcome: 'failed' })
      expect(result.json.records[0].errors[0].message).toMatch(/cells but the header/)
    })
  })

  it('a file over MAX_IMPORT_BYTES is a 413; larger than MAX_BODY_BYTES but within it is accepted', async () => {
    const t = await createTestContext({ env: { MAX_BODY_BYTES: '2048', MAX_IMPORT_BYTES: '65536' } })
    const rows = Array.from({ length: 30 }, (_, i) => row({ externalId: `s-${i}`, name: `Size ${i}` }))
    const fits = csvFile(ROW_HEADER, rows)
    expect(fits.length).toBeGreaterThan(2048)
    expect((await importCsv(t, fits)).json.created).toBe(30)
    const tooBig = csvFile(ROW_HEADER, [row({ description: 'x'.repeat(70_000) })])
    const result = await importCsv(t, tooBig)
    expect(result.status).toBe(413)
    expect(result.headers.get('content-type')).toContain('application/problem+json')
    // and the default limit still applies elsewhere
    const other = await t.call('POST', '/v1/instruments', {
      role: 'editor',
      body: instrumentBody({ description: 'y'.repeat(3000) }),
    })
    expect(other.status).toBe(413)
  })

  it('more than 10,000 instruments in one file is a 413 that writes nothing', async () => {
    const t = await createTestContext()
    const line = 'Tiny,call,international,https://a.eu,Y\r\n'
    const result = await importCsv(t, `name,kind,origin,url,T1\r\n${line.repeat(10_001)}`)
    expect(result.status).toBe(413)
    expect(result.json.detail).toMatch(/at most 10000/)
    expect(await t.store.catalogueVersion()).toBe(0)
  })

  it('needs an admin token (401 / 403), a supported media type (415) and valid flags (400)', async () => {
    const t = await createTestContext()
    const file = csvFile(ROW_HEADER, [row()])
    const anonymous = await t.call('POST', '/v1/admin/imports', {
      body: file,
      headers: { 'content-type': 'text/csv' },
    })
    expect(anonymous.status).toBe(401)
    const editor = await t.call('POST', '/v1/admin/imports', {
      role: 'editor',
      body: file,
      headers: { 'content-type': 'text/csv' },
    })
    expect(editor.status).toBe(403)
    expect((await importCsv(t, file, '', { 'content-type': 'application/xml' })).status).toBe(415)
    expect((await importCsv(t, file, 'dryRun=yes')).status).toBe(400)
    expect((await importCsv(t, file, 'dryrun=true')).status).toBe(400)
    expect(await t.store.catalogueVersion()).toBe(0)
  })
})

describe('POST /v1/admin/imports (JSON)', () => {
  it('imports an array of instruments with per-item errors (1-based index)', async () => {
    const t = await createTestContext()
    const result = await t.call('POST', '/v1/admin/imports', {
      role: 'admin',
      body: [
        instrumentBody({ externalId: 'j-1' }),
        instrumentBody({ externalId: 'j-2', features: ['X1'] }),
        'nope',
      ],
    })
    expect(result.status).toBe(200)
    expect(result.json).toMatchObject({ layout: 'json', created: 1, failed: 2 })
    expect(result.json.records[1]).toMatchObject({
      row: 2,
      errors: [expect.objectContaining({ path: 'features.0' })],
    })
    expect(result.json.records[2]).toMatchObject({
      row: 3,
      errors: [{ path: '', message: 'must be an object' }],
    })
  })

  it('a body that is not an array, or not JSON, is a 400', async () => {
    const t = await createTestContext()
    expect((await t.call('POST', '/v1/admin/imports', { role: 'admin', body: { name: 'x' } })).status).toBe(
      400,
    )
    expect((await t.call('POST', '/v1/admin/imports', { role: 'admin', body: '[{' })).json.type).toMatch(
      /malformed-json/,
    )
    expect((await t.call('POST', '/v1/admin/imports', { role: 'admin', body: [] })).status).toBe(400)
  })
})
