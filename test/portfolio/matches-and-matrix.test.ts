import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { expiresAt, type InstrumentRecord } from '../../shared/catalogue/instrument'
import { CatalogueIndex } from '../../shared/catalogue/search/catalogue-index'
import { FEATURE_CODES } from '../../shared/catalogue/taxonomy'
import { computePortfolioMatrix } from '../../shared/portfolio/portfolio-matrix'
import type { ProjectRecord } from '../../shared/portfolio/project'
import { createTestContext } from '../support/context'
import { projectBody, seedInstruments } from '../support/factories'
import { portfolioCaller } from './support'

const NOW = new Date('2026-11-22T10:00:00.000Z')

function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296
  }
}

function pickFeatures(next: () => number, pool: readonly string[], max: number): string[] {
  const count = 1 + Math.floor(next() * max)
  const chosen = new Set<string>()
  while (chosen.size < count) chosen.add(pool[Math.floor(next() * pool.length)] as string)
  return FEATURE_CODES.filter((code) => chosen.has(code))
}

/** Random instruments with few distinct features and deadlines, so ties are common. */
function randomCatalogue(next: () => number, size: number): InstrumentRecord[] {
  const pool = FEATURE_CODES.slice(0, 10)
  const deadlines = [undefined, '2026-11-01', '2026-12-15', '2027-03-31', '2027-03-31T12:00:00+02:00']
  return Array.from({ length: size }, (_, index) => {
    const deadline = deadlines[Math.floor(next() * deadlines.length)]
    const origin = (['international', 'national', 'regional'] as const)[Math.floor(next() * 3)] ?? 'national'
    return {
      id: `i${String(index).padStart(4, '0')}`,
      name: `Instrument ${String(Math.floor(next() * 1000)).padStart(3, '0')} ${index}`,
      description: '',
      kind: next() < 0.7 ? 'call' : 'programme',
      origin,
      ...(origin === 'international' ? {} : { country: next() < 0.5 ? 'DK' : 'NO' }),
      ...(origin === 'regional' ? { region: 'Somewhere' } : {}),
      url: 'https://example.org',
      ...(deadline ? { deadline } : {}),
      features: pickFeatures(next, pool, 5),
      version: 1,
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      createdBy: 'seed',
      updatedBy: 'seed',
    } as InstrumentRecord
  })
}

function randomProjects(next: () => number, size: number): ProjectRecord[] {
  return Array.from({ length: size }, (_, index) => ({
    id: `p${index}`,
    name: `Project ${index}`,
    features: pickFeatures(next, FEATURE_CODES.slice(0, 12), 6) as ProjectRecord['features'],
    version: 1,
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    createdBy: 'seed',
    updatedBy: 'seed',
  }))
}

/** The seed's manual mapping, done the slow and obvious way: every project against every instrument. */
function bruteForce(
  instruments: InstrumentRecord[],
  projects: ProjectRecord[],
  top: number,
  filter: (record: InstrumentRecord) => boolean,
) {
  const live = instruments.filter(
    (record) => (expiresAt(record) ?? Infinity) > NOW.getTime() && filter(record),
  )
  const shared = (project: ProjectRecord, record: InstrumentRecord) =>
    project.features.filter((code) => record.features.includes(code))
  return projects.map((project) => {
    const scored = live
      .map((record) => ({ record, matched: shared(project, record) }))
      .filter((entry) => entry.matched.length > 0)
      .sort(
        (a, b) =>
          b.matched.length - a.matched.length ||
          (expiresAt(a.record) ?? Infinity) - (expiresAt(b.record) ?? Infinity) ||
          a.record.name.localeCompare(b.record.name),
      )
    return {
      best: scored.slice(0, top).map((entry) => ({
        id: entry.record.id,
        score: entry.matched.length / project.features.length,
        matched: entry.matched,
      })),
      matching: scored.length,
      score: (record: InstrumentRecord) => shared(project, record).length / project.features.length,
      matchesAny: new Set(scored.map((entry) => entry.record.id)),
    }
  })
}

describe('portfolio matrix: against a brute-force computation', () => {
  it('agrees on 40 random portfolios and catalogues, with and without filters', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = random(seed)
      const instruments = randomCatalogue(next, 20 + Math.floor(next() * 120))
      const projects = randomProjects(next, 1 + Math.floor(next() * 15))
      const top = 1 + Math.floor(next() * 6)
      const filtered = seed % 2 === 0
      const options = filtered ? { top, origin: ['national' as const], country: ['DK'] } : { top }
      const filter = filtered
        ? (record: InstrumentRecord) => record.origin === 'national' && record.country === 'DK'
        : () => true
      const matrix = computePortfolioMatrix(CatalogueIndex.build(instruments), projects, options, NOW)
      const expected = bruteForce(instruments, projects, top, filter)

      const matchingAny = new Set(expected.flatMap((row) => [...row.matchesAny]))
      expect(matrix.matchingInstruments, `seed ${seed}`).toBe(matchingAny.size)
      matrix.rows.forEach((row, index) => {
        const want = expected[index] as (typeof expected)[number]
        expect(row.project.id).toBe(projects[index]?.id)
        expect(row.matchingInstruments, `seed ${seed} row ${index}`).toBe(want.matching)
        expect(
          row.best.map((best) => ({
            id: matrix.columns[best.column]?.record.id,
            score: best.score,
            matched: best.matched,
          })),
          `seed ${seed} row ${index}`,
        ).toEqual(want.best)
        matrix.columns.forEach((column, columnIndex) => {
          expect(matrix.scores[index]?.[columnIndex]).toBe(want.score(column.record))
        })
      })
      // Columns are exactly the union of the best lists, each counted once per project.
      const union = new Map<string, number>()
      for (const row of expected)
        for (const best of row.best) union.set(best.id, (union.get(best.id) ?? 0) + 1)
      expect(new Map(matrix.columns.map((column) => [column.record.id, column.bestFor]))).toEqual(union)
      // Ordered by how many projects they serve, most first.
      const counts = matrix.columns.map((column) => column.bestFor)
      expect(counts).toEqual([...counts].sort((a, b) => b - a))
    }
  })

  it('handles a portfolio with no project and projects that match nothing', () => {
    const instruments = randomCatalogue(random(7), 30).map((record) => ({ ...record, features: ['T1'] }))
    const index = CatalogueIndex.build(instruments as InstrumentRecord[])
    expect(computePortfolioMatrix(index, [], { top: 5 }, NOW)).toMatchObject({
      rows: [],
      columns: [],
      scores: [],
      matchingInstruments: 0,
    })
    const lonely = randomProjects(random(1), 1).map((project) => ({ ...project, features: ['G14'] }))
    const matrix = computePortfolioMatrix(index, lonely as ProjectRecord[], { top: 5 }, NOW)
    expect(matrix.rows[0]).toMatchObject({ best: [], matchingInstruments: 0 })
    expect(matrix.columns).toEqual([])
  })
})

describe('GET /v1/projects/{id}/matches and the matrix over HTTP', () => {
  it('equals POST /v1/match for the same features and filters', async () => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    await seedInstruments(t, [
      { name: 'Drone call', features: ['T13', 'T14', 'P4'], deadline: '2027-01-31' },
      { name: 'Sensor programme', kind: 'programme', features: ['T14', 'P3'], deadline: undefined },
      { name: 'EU AI call', origin: 'international', country: undefined, features: ['T1', 'P3', 'T14'] },
      { name: 'NO sensing call', country: 'NO', features: ['T14'], deadline: '2027-02-28' },
      { name: 'Closed call', features: ['T14', 'P3', 'T1'], deadline: '2026-11-01' },
      { name: 'Unrelated', features: ['G14'] },
    ])
    const project = await call('POST', '/v1/projects', {
      body: projectBody({ features: ['T1', 'T14', 'P3', 'P4'] }),
    })
    const id = project.json.id as string
    const cases: [string, Record<string, unknown>][] = [
      ['', {}],
      ['?limit=2', { limit: 2 }],
      ['?origin=national&country=dk', { origin: 'national', country: ['DK'] }],
      [
        '?kind=call,programme&origin=national,international',
        { kind: ['call', 'programme'], origin: ['national', 'international'] },
      ],
    ]
    for (const [query, body] of cases) {
      const matches = await call('GET', `/v1/projects/${id}/matches${query}`)
      const direct = await t.call('POST', '/v1/match', {
        body: { features: ['T1', 'T14', 'P3', 'P4'], ...body },
      })
      expect(matches.status, matches.text).toBe(200)
      expect(direct.status, direct.text).toBe(200)
      expect(matches.json.items, query).toEqual(direct.json.items)
      expect(matches.json.total).toBe(direct.json.total)
      expect(matches.json.project).toEqual({
        id,
        name: project.json.name,
        features: ['T1', 'T14', 'P3', 'P4'],
      })
    }
    const all = await call('GET', `/v1/projects/${id}/matches`)
    expect(
      all.json.items.map((item: { instrument: { name: string } }) => item.instrument.name),
    ).not.toContain('Closed call')

    const bad = await call('GET', `/v1/projects/${id}/matches?country=XX&limit=0&colour=red`)
    expect(bad.status).toBe(400)
    expect(bad.json.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'colour',
      'country.0',
      'limit',
    ])
  })

  it('serves the matrix as JSON and CSV, consistent with each project matches', async () => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    await seedInstruments(t, [
      { name: 'Drone call', features: ['T13', 'T14', 'P4'], deadline: '2027-01-31' },
      { name: 'Sensor programme', kind: 'programme', features: ['T14', 'P3'], deadline: undefined },
      { name: 'Cyber call', features: ['P12', 'T1', 'P13'], deadline: '2027-05-01' },
      { name: 'Unrelated', features: ['G14'] },
    ])
    const names = ['=HYPERLINK("http://evil")', 'Cyber shield', 'Harbour drones']
    const features = [['T14'], ['T1', 'P12'], ['T13', 'T14', 'P4', 'G3']]
    for (const [index, name] of names.entries()) {
      const created = await call('POST', '/v1/projects', {
        body: projectBody({ name, features: features[index] }),
      })
      expect(created.status, created.text).toBe(201)
    }
    const matrix = await call('GET', '/v1/projects/matrix?top=2')
    expect(matrix.status, matrix.text).toBe(200)
    expect(matrix.headers.get('cache-control')).toBe('private, no-store')
    const view = matrix.json
    expect(view.projects.map((project: { name: string }) => project.name)).toEqual(
      ['Cyber shield', '=HYPERLINK("http://evil")', 'Harbour drones'].sort((a, b) =>
        a.localeCompare(b, 'en', { sensitivity: 'base' }),
      ),
    )
    for (const project of view.projects) {
      const matches = await call('GET', `/v1/projects/${project.id}/matches?limit=2`)
      expect(
        project.best.map((best: { instrumentId: string; score: number; matched: string[] }) => best),
      ).toEqual(
        matches.json.items.map(
          (item: { instrument: { id: string }; score: number; matched: string[] }, index: number) => ({
            instrumentId: item.instrument.id,
            column: project.best[index].column,
            score: item.score,
            matched: item.matched,
          }),
        ),
      )
      expect(project.matchingInstruments).toBe(matches.json.total)
    }
    expect(view.instruments.map((instrument: { name: string }) => instrument.name)).not.toContain('Unrelated')
    const harbour = view.projects.findIndex((project: { name: string }) => project.name === 'Harbour drones')
    const drone = view.instruments.findIndex(
      (instrument: { name: string }) => instrument.name === 'Drone call',
    )
    expect(view.scores[harbour][drone]).toBe(0.75)

    const csv = await call('GET', '/v1/projects/matrix.csv?top=2')
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toContain('text/csv')
    expect(csv.headers.get('content-disposition')).toContain('portfolio-matrix.csv')
    const rows = parse(csv.text) as string[][]
    expect(rows[0]?.slice(0, 5)).toEqual(['Project', 'Project id', 'Stage', 'Features', 'Best instruments'])
    expect(rows).toHaveLength(1 + view.projects.length)
    expect(rows[0]?.slice(5)).toEqual(
      view.instruments.map(
        (instrument: { name: string; id: string }) => `${instrument.name} [${instrument.id}]`,
      ),
    )
    const harbourRow = rows.find((row) => row[0] === 'Harbour drones') as string[]
    expect(harbourRow[5 + drone]).toBe('0.75')
    // A name that a spreadsheet would run as a formula is neutralised.
    expect(rows.some((row) => row[0] === `'=HYPERLINK("http://evil")`)).toBe(true)

    const bad = await call('GET', '/v1/projects/matrix?top=0')
    expect(bad.status).toBe(400)
    expect((await call('GET', '/v1/projects/matrix.csv?kind=grant')).status).toBe(400)
  })
})
