import { describe, expect, it } from 'vitest'
import type { InstrumentRecord } from '../../shared/catalogue/instrument'
import { LiveCatalogue } from '../../shared/catalogue/search/live-catalogue'
import { meterCapacity } from '../../shared/platform/dynamodb'
import { createTestContext, type TestContext } from '../support/context'
import { instrumentBody, instrumentInput, seedInstruments } from '../support/factories'

async function search(t: TestContext, query: string) {
  const response = await t.call('GET', `/v1/instruments${query ? `?${query}` : ''}`)
  expect(response.status, response.text).toBe(200)
  return response.json as {
    items: { id: string; name: string; matchedFeatures?: string[]; status: string }[]
    total: number
    page: number
    limit: number
    facets: Record<string, Record<string, number>>
  }
}

const names = (result: { items: { name: string }[] }) => result.items.map((item) => item.name)

describe('GET /v1/instruments: filters', () => {
  it('matches any or all of the requested features and reports matchedFeatures', async () => {
    const t = await createTestContext()
    await seedInstruments(t, [
      { name: 'Both', features: ['T1', 'P12'] },
      { name: 'Only T1', features: ['T1', 'G3'] },
      { name: 'Neither', features: ['D2'] },
    ])
    const any = await search(t, 'features=P12,T1&sort=name')
    expect(names(any)).toEqual(['Both', 'Only T1'])
    expect(any.items.map((item) => item.matchedFeatures)).toEqual([['T1', 'P12'], ['T1']])
    const all = await search(t, 'features=T1&features=p12&match=all')
    expect(names(all)).toEqual(['Both'])
    const none = await search(t, 'sort=name')
    expect(names(none)).toEqual(['Both', 'Neither', 'Only T1'])
    expect(none.items[0]).not.toHaveProperty('matchedFeatures')
  })

  it('filters by origin, country and kind, alone and combined', async () => {
    const t = await createTestContext()
    await seedInstruments(t, [
      { name: 'EU call', origin: 'international', country: undefined, kind: 'call' },
      { name: 'DK programme', origin: 'national', country: 'DK', kind: 'programme' },
      { name: 'DK call', origin: 'national', country: 'DK', kind: 'call' },
      { name: 'NO regional call', origin: 'regional', country: 'NO', region: 'Viken', kind: 'call' },
      { name: 'FI strategy', origin: 'national', country: 'FI', kind: 'strategy' },
    ])
    expect(names(await search(t, 'origin=international&sort=name'))).toEqual(['EU call'])
    expect(names(await search(t, 'origin=national,regional&sort=name'))).toEqual([
      'DK call',
      'DK programme',
      'FI strategy',
      'NO regional call',
    ])
    expect(names(await search(t, 'country=dk,NO&sort=name'))).toEqual([
      'DK call',
      'DK programme',
      'NO regional call',
    ])
    expect(names(await search(t, 'kind=call&sort=name'))).toEqual(['DK call', 'EU call', 'NO regional call'])
    expect(names(await search(t, 'kind=call&country=DK&origin=national'))).toEqual(['DK call'])
    expect(names(await search(t, 'kind=strategy&country=DK'))).toEqual([])
    // A project in Denmark can also apply to international instruments.
    expect(names(await search(t, 'country=DK&includeInternational=true&sort=name'))).toEqual([
      'DK call',
      'DK programme',
      'EU call',
    ])
    expect(names(await search(t, 'country=DK&includeInternational=false&sort=name'))).toEqual([
      'DK call',
      'DK programme',
    ])
    const bad = await t.call('GET', '/v1/instruments?country=DK&includeInternational=yes')
    expect(bad.status).toBe(400)
    expect(bad.json.errors[0].path).toBe('includeInternational')
    const matched = await t.call('POST', '/v1/match', {
      body: { features: ['T1', 'P3'], country: 'DK', includeInternational: true },
    })
    expect(
      matched.json.items.map((item: { instrument: { name: string } }) => item.instrument.name).sort(),
    ).toEqual(['DK call', 'DK programme', 'EU call'])
  })

  it('filters by deadline window (inclusive, open-ended excluded) and closingWithin', async () => {
    // Now: 2026-11-22 in Brussels.
    const t = await createTestContext()
    await seedInstruments(t, [
      { name: 'Open-ended', deadline: undefined },
      { name: 'Today', deadline: '2026-11-22' },
      { name: 'In a week', deadline: '2026-11-29' },
      { name: 'In eight days', deadline: '2026-11-30' },
      // 23:30 UTC on 30 Nov is already 1 Dec in Brussels.
      { name: 'Late evening', deadline: '2026-11-30T23:30:00Z' },
      { name: 'Next year', deadline: '2027-06-30' },
    ])
    expect(names(await search(t, 'closingWithin=7&sort=deadline'))).toEqual(['Today', 'In a week'])
    expect(names(await search(t, 'deadlineFrom=2026-11-29&deadlineTo=2026-11-30&sort=deadline'))).toEqual([
      'In a week',
      'In eight days',
    ])
    expect(names(await search(t, 'deadlineFrom=2026-12-01&sort=deadline'))).toEqual([
      'Late evening',
      'Next year',
    ])
    expect(names(await search(t, 'deadlineTo=2026-11-22'))).toEqual(['Today'])
    expect(names(await search(t, 'closingWithin=8&deadlineFrom=2026-11-25&sort=deadline'))).toEqual([
      'In a week',
      'In eight days',
    ])
    expect((await search(t, 'sort=deadline')).items.at(-1)?.name).toBe('Open-ended')
  })

  it('filters by budget range overlap and leaves out instruments without a budget', async () => {
    const t = await createTestContext()
    await seedInstruments(t, [
      { name: 'No budget' },
      { name: 'Small', budget: { min: 10_000, max: 50_000, currency: 'EUR' } },
      { name: 'Medium', budget: { min: 100_000, max: 500_000, currency: 'EUR' } },
      { name: 'Up to a million', budget: { max: 1_000_000, currency: 'EUR' } },
      { name: 'From two million', budget: { min: 2_000_000, currency: 'EUR' } },
    ])
    expect(names(await search(t, 'budgetMin=200000&sort=name'))).toEqual([
      'From two million',
      'Medium',
      'Up to a million',
    ])
    expect(names(await search(t, 'budgetMax=60000&sort=name'))).toEqual(['Small', 'Up to a million'])
    expect(names(await search(t, 'budgetMin=50000&budgetMax=100000&sort=name'))).toEqual([
      'Medium',
      'Small',
      'Up to a million',
    ])
  })

  it('finds text in name, description, funder and programme, all words, as word prefixes, ignoring case and accents', async () => {
    const t = await createTestContext()
    await seedInstruments(t, [
      { name: 'Société Générale Innovation', description: 'Soutien aux PME.', funder: undefined },
      { name: 'Cybersecurity vouchers', description: 'Small grants.', funder: 'Agence régionale' },
      { name: 'Drone pilots', description: 'Tests in Ørsted harbour.', programme: 'Horizon Europe' },
    ])
    expect(names(await search(t, 'q=societe'))).toEqual(['Société Générale Innovation'])
    expect(names(await search(t, 'q=SOCIÉTÉ%20pme'))).toEqual(['Société Générale Innovation'])
    expect(names(await search(t, 'q=cyber'))).toEqual(['Cybersecurity vouchers'])
    expect(names(await search(t, 'q=regionale'))).toEqual(['Cybersecurity vouchers'])
    expect(names(await search(t, 'q=orsted%20horizon'))).toEqual(['Drone pilots'])
    expect(names(await search(t, 'q=drone%20societe'))).toEqual([])
    // Prefixes of words, not substrings inside them.
    expect(names(await search(t, 'q=security'))).toEqual([])
  })
})

describe('GET /v1/instruments: order, pages and facets', () => {
  it('sorts by relevance, deadline, name and last update, breaking ties by name then id', async () => {
    const t = await createTestContext()
    const seeded = await seedInstruments(t, [
      { name: 'Bravo', features: ['T1'], deadline: '2027-01-10' },
      { name: 'alpha', features: ['T1', 'P12'], deadline: '2027-02-10' },
      { name: 'Charlie', features: ['T1', 'P12'], deadline: '2027-01-10' },
      { name: 'Delta', features: ['P12'], deadline: undefined },
      { name: 'Älpha', features: ['G1'], deadline: '2027-01-10' },
    ])
    expect(names(await search(t, 'features=T1,P12'))).toEqual(['Charlie', 'alpha', 'Bravo', 'Delta'])
    expect(names(await search(t, 'sort=deadline'))).toEqual(['Älpha', 'Bravo', 'Charlie', 'alpha', 'Delta'])
    // Case- and accent-insensitive; the exact spelling, then the id, break ties.
    const byName = await search(t, 'sort=name')
    expect(names(byName)).toEqual(['alpha', 'Älpha', 'Bravo', 'Charlie', 'Delta'])

    // Last update: newest first; same instant ties by name.
    t.clock.advance(60_000)
    const bravo = seeded[0] as InstrumentRecord
    await t.store.replace(
      bravo.id,
      instrumentInput({ name: 'Bravo', features: ['T1'] }),
      1,
      'tester',
      t.clock.now(),
    )
    expect(names(await search(t, 'sort=updated'))).toEqual(['Bravo', 'alpha', 'Älpha', 'Charlie', 'Delta'])
  })

  it('pages through the whole result with totals, disjoint pages and an empty page past the end', async () => {
    const t = await createTestContext()
    await seedInstruments(
      t,
      Array.from({ length: 23 }, (_, index) => ({ name: `Call ${String(index).padStart(2, '0')}` })),
    )
    const pages = await Promise.all([1, 2, 3].map((page) => search(t, `sort=name&limit=10&page=${page}`)))
    expect(pages.map((page) => page.total)).toEqual([23, 23, 23])
    expect(pages.map((page) => page.items.length)).toEqual([10, 10, 3])
    const ids = pages.flatMap((page) => page.items.map((item) => item.id))
    expect(new Set(ids).size).toBe(23)
    expect(pages.flatMap(names)).toEqual(
      Array.from({ length: 23 }, (_, i) => `Call ${String(i).padStart(2, '0')}`),
    )
    const past = await search(t, 'sort=name&limit=10&page=4')
    expect(past).toMatchObject({ items: [], total: 23, page: 4, limit: 10 })
    expect((await search(t, '')).limit).toBe(10)
  })

  it('counts facets over the whole result set, not just the page', async () => {
    const t = await createTestContext()
    const records = await seedInstruments(t, [
      { name: 'A', origin: 'international', country: undefined, kind: 'call', features: ['T1', 'P12'] },
      { name: 'B', origin: 'national', country: 'DK', kind: 'programme', features: ['T1'] },
      { name: 'C', origin: 'national', country: 'DK', kind: 'call', features: ['P12', 'G14'] },
      { name: 'D', origin: 'regional', country: 'SE', kind: 'call', features: ['D3'] },
    ])
    const result = await search(t, 'features=T1,P12&limit=1')
    expect(result.items).toHaveLength(1)
    expect(result.total).toBe(3)
    const hits = records.filter((record) => record.features.some((code) => code === 'T1' || code === 'P12'))
    const count = (values: (string | undefined)[]) => {
      const counts: Record<string, number> = {}
      for (const value of values) if (value) counts[value] = (counts[value] ?? 0) + 1
      return counts
    }
    expect(result.facets).toEqual({
      features: count(hits.flatMap((record) => record.features)),
      origin: count(hits.map((record) => record.origin)),
      country: count(hits.map((record) => record.country)),
      kind: count(hits.map((record) => record.kind)),
    })
    expect(result.facets.features).toEqual({ T1: 2, P12: 2, G14: 1 })
  })
})

describe('GET /v1/instruments: freshness and expiry', () => {
  it('never shows expired instruments, before and after they are archived, and shows forthcoming ones', async () => {
    const t = await createTestContext({ now: '2026-12-31T22:59:59.999Z' })
    const [closing] = await seedInstruments(t, [
      { name: 'Closing tonight', deadline: '2026-12-31' },
      { name: 'Forthcoming', opensAt: '2027-02-01', deadline: '2027-03-01' },
    ])
    const before = await search(t, 'sort=name')
    expect(before.items.map((item) => [item.name, item.status])).toEqual([
      ['Closing tonight', 'open'],
      ['Forthcoming', 'forthcoming'],
    ])
    t.clock.advance(1) // midnight in Brussels: the deadline has passed, the job has not run
    expect(names(await search(t, 'sort=name'))).toEqual(['Forthcoming'])
    expect((await search(t, 'q=closing')).total).toBe(0)
    // What the expiry job does: archive it.
    await t.store.archive(closing!.id, {
      expectedVersion: 1,
      reason: 'expired',
      actor: 'expiry',
      now: t.clock.now(),
    })
    expect(names(await search(t, 'sort=name'))).toEqual(['Forthcoming'])
  })

  it('shows a change to the very next search, through this instance and another one', async () => {
    const t = await createTestContext()
    const otherInstance = new LiveCatalogue(t.store)
    expect(
      (await otherInstance.search({ match: 'any', sort: 'name', page: 1, limit: 10 }, t.clock.now())).total,
    ).toBe(0)
    expect((await search(t, '')).total).toBe(0)

    const created = await t.call('POST', '/v1/instruments', {
      role: 'editor',
      body: instrumentBody({ name: 'Fresh' }),
    })
    expect(names(await search(t, ''))).toEqual(['Fresh'])
    const updated = await t.call('PUT', `/v1/instruments/${created.json.id}`, {
      role: 'editor',
      headers: { 'if-match': '"1"' },
      body: instrumentBody({ name: 'Renamed' }),
    })
    expect(updated.status).toBe(200)
    expect(names(await search(t, 'q=renamed'))).toEqual(['Renamed'])
    expect(
      (
        await otherInstance.search(
          { q: 'renamed', match: 'any', sort: 'name', page: 1, limit: 10 },
          t.clock.now(),
        )
      ).items.map((i) => i.name),
    ).toEqual(['Renamed'])
    await t.call('DELETE', `/v1/instruments/${created.json.id}`, {
      role: 'admin',
      headers: { 'if-match': '"2"' },
    })
    expect((await search(t, '')).total).toBe(0)
    // Only the first search loaded everything; later changes were replayed from the change log.
    expect(t.deps.catalogue.stats()).toMatchObject({ fullLoads: 1, deltaLoads: 3, size: 0 })
  })

  it('costs at most 1 RCU per warm search and shares one load among concurrent first searches', async () => {
    const t = await createTestContext()
    await seedInstruments(
      t,
      Array.from({ length: 30 }, (_, index) => ({ name: `Call ${index}`, features: ['T1', 'P3'] })),
    )
    const meter = meterCapacity(t.client)
    const cold = new LiveCatalogue(t.store)
    await Promise.all(Array.from({ length: 5 }, () => cold.current()))
    expect(cold.stats().fullLoads).toBe(1)
    await search(t, 'q=call') // warm up the app's catalogue
    meter.reset()
    for (const query of ['q=call', 'features=T1&match=all&sort=name', 'sort=deadline&page=3', 'country=DK']) {
      await search(t, query)
    }
    expect(meter.read).toBeGreaterThan(0)
    expect(meter.read).toBeLessThanOrEqual(4)
  })
})

describe('GET /v1/instruments: bad input', () => {
  const cases: [string, string][] = [
    ['features=X99', 'features.0'],
    ['features=', 'features'],
    ['features=T1,,P3', 'features.1'],
    ['match=some', 'match'],
    ['origin=galactic', 'origin.0'],
    ['country=XX', 'country.0'],
    ['country=', 'country'],
    ['country=DK&country=NO', 'country'],
    ['kind=grant', 'kind.0'],
    ['sort=random', 'sort'],
    ['sort=name&sort=deadline', 'sort'],
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['page=0', 'page'],
    ['page=-1', 'page'],
    ['page=99999999999', 'page'],
    ['page=1001&limit=10', 'page'],
    ['deadlineFrom=2027-02-01&deadlineTo=2027-01-01', 'deadlineFrom'],
    ['deadlineTo=2027-02-30', 'deadlineTo'],
    ['closingWithin=0', 'closingWithin'],
    ['closingWithin=367', 'closingWithin'],
    ['budgetMin=-5', 'budgetMin'],
    ['budgetMin=10&budgetMax=5', 'budgetMin'],
    [`q=${'a'.repeat(201)}`, 'q'],
    ['q=', 'q'],
    ['q=%21%21', 'q'],
    ['bogus=1', 'bogus'],
  ]
  it.each(cases)('%s is a 400 naming %s', async (query, path) => {
    const t = await createTestContext()
    const response = await t.call('GET', `/v1/instruments?${query}`)
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(response.json.errors.map((error: { path: string }) => error.path)).toContain(path)
  })
})

describe('POST /v1/match', () => {
  it('scores, orders and explains matches and leaves out instruments with none', async () => {
    const t = await createTestContext()
    await seedInstruments(t, [
      { name: 'Half, late', features: ['T1', 'G1'], deadline: '2027-05-01' },
      { name: 'Full', features: ['T1', 'P12', 'G1'], deadline: '2027-09-01' },
      { name: 'Half, soon', features: ['P12'], deadline: '2027-02-01' },
      { name: 'Half, soon too', features: ['T1'], deadline: '2027-02-01' },
      { name: 'Unrelated', features: ['D1'] },
      { name: 'Other country', country: 'SE', features: ['T1', 'P12'] },
    ])
    const response = await t.call('POST', '/v1/match', { body: { features: ['p12', 'T1'], country: 'DK' } })
    expect(response.status).toBe(200)
    expect(response.json.total).toBe(4)
    expect(
      response.json.items.map((item: any) => [item.instrument.name, item.score, item.matched, item.missing]),
    ).toEqual([
      ['Full', 1, ['T1', 'P12'], []],
      ['Half, soon', 0.5, ['P12'], ['T1']],
      ['Half, soon too', 0.5, ['T1'], ['P12']],
      ['Half, late', 0.5, ['T1'], ['P12']],
    ])
    const limited = await t.call('POST', '/v1/match', { body: { features: ['T1'], limit: 1 } })
    expect(limited.json.items).toHaveLength(1)
    expect(limited.json.total).toBe(4)
  })

  it('refuses bad bodies with a 400 or 415 problem', async () => {
    const t = await createTestContext()
    const bad = [
      {},
      { features: [] },
      { features: ['X1'] },
      { features: ['T1', 'T1'] },
      { features: ['T1'], limit: 0 },
      { features: ['T1'], origin: 'mars' },
      { features: ['T1'], extra: 1 },
    ]
    for (const body of bad) {
      const response = await t.call('POST', '/v1/match', { body })
      expect(response.status, JSON.stringify(body)).toBe(400)
      expect(response.json.errors.length).toBeGreaterThan(0)
    }
    expect((await t.call('POST', '/v1/match', { body: '{nope' })).status).toBe(400)
    const text = await t.call('POST', '/v1/match', { body: 'x', headers: { 'content-type': 'text/plain' } })
    expect(text.status).toBe(415)
  })
})
