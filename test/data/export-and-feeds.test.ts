import { parse } from 'csv-parse/sync'
import { XMLParser } from 'fast-xml-parser'
import ical from 'node-ical'
import { describe, expect, it } from 'vitest'
import { EXPORT_COLUMNS } from '../../shared/catalogue/csv/instrument-csv'
import { createTestContext, type TestContext } from '../support/context'
import { instrumentBody } from '../support/factories'
import { catalogueInputs, importCsv } from './support'

/** Instruments that exercise every column and every escaping rule. */
const AWKWARD = [
  instrumentBody({
    externalId: 'full-1',
    name: 'Full, "quoted" call; with separators',
    description: 'Line one\r\nLine two with ünïcödé, commas, "quotes" and ; semicolons\n- a bullet',
    origin: 'regional',
    country: 'BE',
    region: 'Wallonia',
    funder: 'SPW',
    programme: 'Win4',
    opensAt: '2026-12-01',
    deadline: '2027-02-28T17:00:00+01:00',
    cutOffs: ['2027-01-15T17:00:00+01:00', '2027-02-28T17:00:00+01:00'],
    periodicity: 'recurring',
    budget: { min: 50000, max: 250000.5, currency: 'EUR' },
    targetOrganisations: ['sme', 'research'],
    applicationDomains: ['health', 'energy & water'],
    features: ['G14', 'T1', 'D7'],
  }),
  instrumentBody({ name: '=HYPERLINK("http://evil.example","x")', description: '+cmd|" /C calc"!A0' }),
  instrumentBody({ name: '@SUM(A1)', description: "'=already escaped" }),
  instrumentBody({
    name: '-2+3 minus',
    funder: "'''+three apostrophes",
    origin: 'international',
    country: undefined,
  }),
  instrumentBody({
    name: 'Open-ended programme',
    kind: 'programme',
    deadline: undefined,
    budget: { currency: 'DKK' },
  }),
]

async function seed(t: TestContext, bodies = AWKWARD) {
  for (const body of bodies) {
    const created = await t.call('POST', '/v1/instruments', { role: 'editor', body })
    expect(created.status, JSON.stringify(created.json)).toBe(201)
  }
}

describe('GET /v1/exports/instruments.csv', () => {
  it('round trip: export, then import into an empty catalogue, gives identical instruments', async () => {
    const source = await createTestContext()
    await seed(source)
    const exported = await source.call('GET', '/v1/exports/instruments.csv')
    expect(exported.status).toBe(200)
    expect(exported.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(exported.headers.get('x-total-count')).toBe(String(AWKWARD.length))

    const target = await createTestContext()
    const imported = await importCsv(target, exported.text)
    expect(imported.json).toMatchObject({ created: AWKWARD.length, failed: 0 })
    expect(await catalogueInputs(target)).toEqual(await catalogueInputs(source))
  })

  it('round trip into the same catalogue changes nothing (rows matched by externalId, else by id)', async () => {
    const t = await createTestContext()
    await seed(t)
    const version = await t.store.catalogueVersion()
    const exported = await t.call('GET', '/v1/exports/instruments.csv')
    const again = await importCsv(t, exported.text)
    expect(again.json).toMatchObject({ unchanged: AWKWARD.length, created: 0, updated: 0, failed: 0 })
    expect(await t.store.catalogueVersion()).toBe(version)
  })

  it('neutralises formula cells for spreadsheets (CSV injection)', async () => {
    const t = await createTestContext()
    await seed(t)
    const exported = await t.call('GET', '/v1/exports/instruments.csv?sort=name')
    const cells: string[][] = parse(exported.text, { bom: true })
    expect(cells[0]).toEqual([...EXPORT_COLUMNS])
    for (const cell of cells.flat()) expect(cell, cell).not.toMatch(/^[=+\-@\t\r]/)
    const names = cells.slice(1).map((line) => line[1])
    expect(names).toEqual(
      expect.arrayContaining(['\'=HYPERLINK("http://evil.example","x")', "'@SUM(A1)", "'-2+3 minus"]),
    )
    expect(cells.flat()).toEqual(expect.arrayContaining(["''=already escaped", "''''+three apostrophes"]))
  })

  it('takes the search parameters, returns every match (not a page) and ignores page/limit', async () => {
    const t = await createTestContext()
    await seed(
      t,
      Array.from({ length: 12 }, (_, index) =>
        instrumentBody({ name: `Call ${index}`, country: index % 2 ? 'DK' : 'NO' }),
      ),
    )
    const result = await t.call('GET', '/v1/exports/instruments.csv?country=dk&page=2&limit=1')
    const lines: string[][] = parse(result.text, { bom: true })
    expect(lines).toHaveLength(1 + 6)
    expect(result.headers.get('x-total-count')).toBe('6')
    expect(result.headers.get('x-export-truncated')).toBeNull()
    expect(result.headers.get('content-disposition')).toContain('instruments.csv')
    expect((await t.call('GET', '/v1/exports/instruments.csv?features=ZZ')).status).toBe(400)
  })

  it('never exports expired instruments', async () => {
    const t = await createTestContext()
    await seed(t, [
      instrumentBody({ name: 'Closes soon', deadline: '2026-11-30' }),
      instrumentBody({ name: 'Later' }),
    ])
    t.clock.set('2026-12-01T00:00:00+01:00')
    const lines: string[][] = parse((await t.call('GET', '/v1/exports/instruments.csv')).text, { bom: true })
    expect(lines.slice(1).map((line) => line[1])).toEqual(['Later'])
  })
})

describe('GET /v1/feeds/instruments.atom', () => {
  it('is Atom 1.0 with the newest matching instruments, linking their pages and official URLs', async () => {
    const t = await createTestContext()
    await seed(t, [instrumentBody({ name: 'Oldest', features: ['T1'] })])
    t.clock.advance(60_000)
    await seed(t, [instrumentBody({ name: 'Newest', features: ['T1', 'P3'] })])
    t.clock.advance(60_000)
    await seed(t, [instrumentBody({ name: 'Not matching', features: ['G1'] })])

    const result = await t.call('GET', '/v1/feeds/instruments.atom?features=T1')
    expect(result.status).toBe(200)
    expect(result.headers.get('content-type')).toContain('application/atom+xml')
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(result.text)
    expect(doc.feed.xmlns).toBe('http://www.w3.org/2005/Atom')
    expect(doc.feed.id).toBe('http://localhost/v1/feeds/instruments.atom?features=T1')
    const entries = [doc.feed.entry].flat()
    expect(entries.map((entry: any) => entry.title['#text'] ?? entry.title)).toEqual(['Newest', 'Oldest'])
    const [newest] = entries
    const { records } = await t.store.loadCatalogue()
    const stored = records.find((record) => record.name === 'Newest')!
    expect(newest.id).toBe(`urn:fundfinder:instrument:${stored.id}`)
    expect(newest.link.href).toBe(`http://localhost/instruments/${stored.id}`)
    expect(new Date(newest.updated).toISOString()).toBe(stored.updatedAt)
    expect(JSON.stringify(newest.content)).toContain('https://innovationsfonden.dk/en')
    expect(new Date(doc.feed.updated).toISOString()).toBe(stored.updatedAt)
  })

  it('is a valid, empty feed when nothing matches, and a 400 for bad parameters', async () => {
    const t = await createTestContext()
    const empty = await t.call('GET', '/v1/feeds/instruments.atom?country=IS')
    const doc = new XMLParser().parse(empty.text)
    expect(doc.feed.title).toContain('fundfinder')
    expect(doc.feed.entry).toBeUndefined()
    const bad = await t.call('GET', '/v1/feeds/instruments.atom?kind=grant')
    expect(bad.status).toBe(400)
    expect(bad.headers.get('content-type')).toContain('application/problem+json')
  })
})

describe('GET /v1/feeds/deadlines.ics', () => {
  it('has one event per deadline: all-day on the Brussels date for dates, timed at the instant otherwise', async () => {
    const t = await createTestContext()
    await seed(t, [
      instrumentBody({ name: 'Date deadline', deadline: '2027-03-31' }),
      instrumentBody({ name: 'Instant deadline', deadline: '2027-07-01T17:00:00+02:00' }),
      instrumentBody({ name: 'Open-ended', deadline: undefined }),
      instrumentBody({ name: 'Other country', country: 'SE', deadline: '2027-01-15' }),
    ])
    const result = await t.call('GET', '/v1/feeds/deadlines.ics?country=DK')
    expect(result.status).toBe(200)
    expect(result.headers.get('content-type')).toContain('text/calendar')
    expect(result.text).toContain('X-WR-TIMEZONE:Europe/Brussels')
    const events = Object.values(ical.sync.parseICS(result.text)).filter(
      (item: any) => item.type === 'VEVENT',
    ) as any[]
    expect(events.map((event) => event.summary).sort()).toEqual([
      'Deadline: Date deadline',
      'Deadline: Instant deadline',
    ])

    const { records } = await t.store.loadCatalogue()
    const idOf = (name: string) => records.find((record) => record.name === name)!.id
    const allDay = events.find((event) => event.summary === 'Deadline: Date deadline')
    expect(allDay.uid).toBe(`${idOf('Date deadline')}@fundfinder`)
    expect(allDay.datetype).toBe('date')
    expect(result.text).toContain('DTSTART;VALUE=DATE:20270331')
    expect(result.text).toContain('DTEND;VALUE=DATE:20270401')
    const timed = events.find((event) => event.summary === 'Deadline: Instant deadline')
    expect(timed.datetype).toBe('date-time')
    expect(new Date(timed.start).toISOString()).toBe('2027-07-01T15:00:00.000Z')
    expect(timed.url.val ?? timed.url).toBe(`http://localhost/instruments/${idOf('Instant deadline')}`)
    expect(timed.alarms).toHaveLength(1)
    expect(result.text).toContain('TRIGGER:-P7D')
  })

  it('keeps an event UID stable when the deadline moves, so calendars move the event', async () => {
    const t = await createTestContext()
    const created = await t.call('POST', '/v1/instruments', { role: 'editor', body: instrumentBody() })
    const before = await t.call('GET', '/v1/feeds/deadlines.ics')
    await t.call('PUT', `/v1/instruments/${created.json.id}`, {
      role: 'editor',
      body: instrumentBody({ deadline: '2027-04-30' }),
      headers: { 'if-match': '"1"' },
    })
    const after = await t.call('GET', '/v1/feeds/deadlines.ics')
    const uid = `UID:${created.json.id}@fundfinder`
    expect(before.text).toContain(uid)
    expect(after.text).toContain(uid)
    expect(after.text).toContain('DTSTART;VALUE=DATE:20270430')
    expect(after.text).toContain('SEQUENCE:2')
  })
})

describe('the search page', () => {
  it('links the feeds and the export of the current search, and the links work', async () => {
    const t = await createTestContext()
    await seed(t, [instrumentBody({ name: 'Linked call', features: ['T1'] })])
    const page = await t.call('GET', '/?features=T1&country=DK&page=1')
    expect(page.status).toBe(200)
    const hrefs = [...page.text.matchAll(/href="(\/v1\/(?:feeds|exports)\/[^"]+)"/g)].map((match) =>
      (match[1] as string).replaceAll('&amp;', '&'),
    )
    expect(hrefs).toHaveLength(3)
    for (const href of hrefs) {
      expect(href).toContain('features=T1')
      expect(href).not.toContain('page=')
      const linked = await t.call('GET', href)
      expect(linked.status, href).toBe(200)
      expect(linked.text).toContain('Linked call')
    }
  })
})
