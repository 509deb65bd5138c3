import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { expiresAt, type InstrumentRecord, toPublicInstrument } from '../../shared/catalogue/instrument'
import { CatalogueIndex } from '../../shared/catalogue/search/catalogue-index'
import { indexTokens, sortableName } from '../../shared/catalogue/search/index-tokens'
import { matchInstruments } from '../../shared/catalogue/search/match-instruments'
import { normaliseText, queryWords, tokenize } from '../../shared/catalogue/search/normalise-text'
import { searchInstruments } from '../../shared/catalogue/search/search-instruments'
import type { SearchCriteria } from '../../shared/catalogue/search/search-query'
import { FEATURE_CODES, type FeatureCode, sortFeatureCodes } from '../../shared/catalogue/taxonomy'
import { brusselsDate, deadlineExpiresAt } from '../../shared/platform/time'

/**
 * The engine (bitmasks, inverted index, precomputed ranks) must return exactly what a plain,
 * obviously correct filter-and-sort over all records returns, for any catalogue and any query.
 */

const NOW = new Date('2026-11-22T10:00:00.000Z')
const FEATURE_POOL: FeatureCode[] = ['T1', 'T2', 'P3', 'P12', 'D2', 'G1', 'G14', 'T15', 'P18']
const WORDS = [
  'Société',
  'societe',
  'cyber',
  'Cybersecurity',
  'Ørsted',
  'drone',
  'Alpha',
  'alpha',
  'grant',
  'R&D',
]
const QUERY_WORDS = ['soc', 'societe', 'cyber', 'cybersecurity', 'orsted', 'dr', 'alpha', 'grant', 'r', 'x']
const DAYS = [
  '2026-11-21',
  '2026-11-22',
  '2026-11-23',
  '2026-11-29',
  '2026-11-30',
  '2026-12-01',
  '2027-01-15',
]
const DEADLINES = [
  ...DAYS,
  '2026-11-22T09:59:59Z',
  '2026-11-22T10:00:00Z',
  '2026-11-30T23:30:00Z',
  '2026-12-01T08:00:00+01:00',
]
const COUNTRIES = ['DK', 'NO', 'SE']
/** Cut-offs of multiple cut-off calls (ascending), around NOW: passed, at NOW exactly, ahead. */
const CUT_OFFS = [
  '2026-11-21T16:00:00Z',
  '2026-11-22T09:59:59Z',
  '2026-11-22T10:00:00Z',
  '2026-11-23T16:00:00Z',
  '2026-11-30T23:30:00Z',
  '2026-12-01T08:00:00+01:00',
  '2027-01-15T16:00:00Z',
]

const text = fc
  .array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 })
  .map((words) => words.join(' '))

const recordArbitrary = (id: string) =>
  fc
    .record({
      name: text,
      description: fc.option(text, { nil: '' }),
      funder: fc.option(text, { nil: undefined }),
      programme: fc.option(text, { nil: undefined }),
      kind: fc.constantFrom('call', 'programme', 'strategy' as const),
      origin: fc.constantFrom('international', 'national', 'regional' as const),
      country: fc.constantFrom(...COUNTRIES),
      deadline: fc.option(fc.constantFrom(...DEADLINES), { nil: undefined }),
      cutOffs: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 3 },
        { arbitrary: fc.subarray(CUT_OFFS, { minLength: 2 }), weight: 1 },
      ),
      budget: fc.option(
        fc.record({
          min: fc.option(fc.constantFrom(0, 10_000, 100_000, 1_000_000), { nil: undefined }),
          max: fc.option(fc.constantFrom(50_000, 500_000, 5_000_000), { nil: undefined }),
        }),
        { nil: undefined },
      ),
      features: fc.subarray(FEATURE_POOL, { minLength: 1 }),
      updatedAt: fc.constantFrom(
        '2026-01-01T00:00:00.000Z',
        '2026-06-01T00:00:00.000Z',
        '2026-11-01T00:00:00.000Z',
      ),
    })
    .map(
      (raw): InstrumentRecord => ({
        id,
        name: raw.name,
        description: raw.description,
        kind: raw.kind,
        origin: raw.origin,
        ...(raw.origin === 'international' ? {} : { country: raw.country }),
        ...(raw.funder ? { funder: raw.funder } : {}),
        ...(raw.programme ? { programme: raw.programme } : {}),
        url: 'https://example.org',
        // A multiple cut-off call: its deadline is its last cut-off.
        ...(raw.cutOffs ? { cutOffs: raw.cutOffs, deadline: raw.cutOffs.at(-1) as string } : {}),
        ...(raw.deadline && !raw.cutOffs ? { deadline: raw.deadline } : {}),
        ...(raw.budget && (raw.budget.min !== undefined || raw.budget.max !== undefined)
          ? {
              budget: {
                currency: 'EUR',
                ...(raw.budget.min === undefined ? {} : { min: raw.budget.min }),
                ...(raw.budget.max === undefined
                  ? {}
                  : { max: Math.max(raw.budget.max, raw.budget.min ?? 0) }),
              },
            }
          : {}),
        features: sortFeatureCodes(raw.features),
        version: 1,
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: raw.updatedAt,
        createdBy: 'gen',
        updatedBy: 'gen',
      }),
    )

const catalogueArbitrary = fc
  .integer({ min: 0, max: 40 })
  .chain((size) =>
    fc.tuple(
      ...Array.from({ length: size }, (_, index) => recordArbitrary(`id-${String(index).padStart(3, '0')}`)),
    ),
  )

const optionalList = <T>(values: readonly T[]) =>
  fc.option(fc.subarray([...values], { minLength: 1 }), { nil: undefined })

const criteriaArbitrary: fc.Arbitrary<SearchCriteria> = fc
  .record({
    q: fc.option(
      fc
        .array(fc.constantFrom(...QUERY_WORDS), { minLength: 1, maxLength: 2 })
        .map((words) => words.join(' ')),
      { nil: undefined },
    ),
    features: optionalList(FEATURE_POOL),
    match: fc.constantFrom('any', 'all' as const),
    origin: optionalList(['international', 'national', 'regional'] as const),
    country: optionalList(COUNTRIES),
    kind: optionalList(['call', 'programme', 'strategy'] as const),
    deadlineFrom: fc.option(fc.constantFrom(...DAYS), { nil: undefined }),
    deadlineTo: fc.option(fc.constantFrom(...DAYS), { nil: undefined }),
    closingWithin: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
    budgetMin: fc.option(fc.constantFrom(0, 20_000, 200_000, 2_000_000), { nil: undefined }),
    budgetMax: fc.option(fc.constantFrom(20_000, 200_000, 2_000_000), { nil: undefined }),
    sort: fc.constantFrom('relevance', 'deadline', 'name', 'updated' as const),
    page: fc.integer({ min: 1, max: 4 }),
    limit: fc.integer({ min: 1, max: 12 }),
  })
  .map((raw) => {
    const criteria: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(raw)) if (value !== undefined) criteria[key] = value
    if (raw.features) criteria.features = sortFeatureCodes(raw.features)
    return criteria as unknown as SearchCriteria
  })

/** Straightforward reference implementation of the contract, record by record. */
function bruteForce(records: InstrumentRecord[], criteria: SearchCriteria, now: Date) {
  // The closings still ahead: every cut-off not passed yet, or the deadline; the first is the next.
  const closingsAhead = (record: InstrumentRecord) =>
    record.deadline === undefined
      ? []
      : (record.cutOffs ?? [record.deadline]).filter((closing) => deadlineExpiresAt(closing) > now.getTime())
  const dayOf = (closing: string) =>
    closing.length === 10 ? closing : brusselsDate(new Date(Date.parse(closing)))
  const today = brusselsDate(now)
  const plusDays = (n: number) => {
    const date = new Date(`${today}T12:00:00Z`)
    date.setUTCDate(date.getUTCDate() + n)
    return date.toISOString().slice(0, 10)
  }
  const requested = criteria.features ?? []
  const matched = (record: InstrumentRecord) => requested.filter((code) => record.features.includes(code))
  const words = criteria.q ? queryWords(criteria.q) : []
  const hits = records.filter((record) => {
    const expiry = expiresAt(record)
    if (expiry !== undefined && now.getTime() >= expiry) return false
    if (requested.length > 0) {
      const count = matched(record).length
      if (criteria.match === 'all' ? count !== requested.length : count === 0) return false
    }
    if (criteria.origin && !criteria.origin.includes(record.origin)) return false
    if (criteria.kind && !criteria.kind.includes(record.kind)) return false
    if (criteria.country && !criteria.country.includes(record.country ?? '')) return false
    if (criteria.deadlineFrom || criteria.deadlineTo || criteria.closingWithin) {
      // One of its closings still ahead falls in the window.
      const inWindow = (d: string) =>
        !(criteria.deadlineFrom && d < criteria.deadlineFrom) &&
        !(criteria.deadlineTo && d > criteria.deadlineTo) &&
        !(criteria.closingWithin && (d < today || d > plusDays(criteria.closingWithin)))
      if (!closingsAhead(record).some((closing) => inWindow(dayOf(closing)))) return false
    }
    if (criteria.budgetMin !== undefined || criteria.budgetMax !== undefined) {
      const budget = record.budget
      if (!budget || (budget.min === undefined && budget.max === undefined)) return false
      const low = budget.min ?? 0
      const high = budget.max ?? Number.POSITIVE_INFINITY
      if (low > (criteria.budgetMax ?? Number.POSITIVE_INFINITY) || high < (criteria.budgetMin ?? 0))
        return false
    }
    if (words.length > 0) {
      const tokens = [record.name, record.description, record.funder ?? '', record.programme ?? ''].flatMap(
        tokenize,
      )
      if (!words.every((word) => tokens.some((token) => token.startsWith(word)))) return false
    }
    return true
  })
  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0)
  const byName = (a: InstrumentRecord, b: InstrumentRecord) =>
    cmp(normaliseText(a.name), normaliseText(b.name)) || cmp(a.name, b.name) || cmp(a.id, b.id)
  // By next closing (hits are live, so they have one unless open-ended).
  const nextClosing = (record: InstrumentRecord) => {
    const [next] = closingsAhead(record)
    return next === undefined ? Number.POSITIVE_INFINITY : deadlineExpiresAt(next)
  }
  const byDeadline = (a: InstrumentRecord, b: InstrumentRecord) =>
    cmp(nextClosing(a), nextClosing(b)) || byName(a, b)
  const comparators = {
    relevance: (a: InstrumentRecord, b: InstrumentRecord) =>
      matched(b).length - matched(a).length || byDeadline(a, b),
    deadline: byDeadline,
    name: byName,
    updated: (a: InstrumentRecord, b: InstrumentRecord) => cmp(b.updatedAt, a.updatedAt) || byName(a, b),
  }
  hits.sort(comparators[criteria.sort])
  const count = (values: (string | undefined)[]) => {
    const counts: Record<string, number> = {}
    for (const value of values) if (value) counts[value] = (counts[value] ?? 0) + 1
    return counts
  }
  const page = hits.slice((criteria.page - 1) * criteria.limit, criteria.page * criteria.limit)
  return {
    items: page.map((record) => ({
      ...toPublicInstrument(record, now),
      ...(requested.length > 0 ? { matchedFeatures: sortFeatureCodes(matched(record)) } : {}),
    })),
    page: criteria.page,
    limit: criteria.limit,
    total: hits.length,
    facets: {
      features: count(hits.flatMap((record) => record.features)),
      origin: count(hits.map((record) => record.origin)),
      country: count(hits.map((record) => record.country)),
      kind: count(hits.map((record) => record.kind)),
    },
  }
}

const sortedKeys = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).sort())

describe('search engine vs brute force', () => {
  it('returns the same page, total, order, matched features and facets for random catalogues and queries', () => {
    fc.assert(
      fc.property(catalogueArbitrary, criteriaArbitrary, (records, criteria) => {
        const actual = searchInstruments(CatalogueIndex.build(records), criteria, NOW)
        const expected = bruteForce(records, criteria, NOW)
        expect(actual.items).toEqual(expected.items)
        expect({ ...actual, items: [] }).toEqual({ ...expected, items: [] })
        // Feature facets follow taxonomy order.
        expect(Object.keys(actual.facets.features)).toEqual(
          FEATURE_CODES.filter((code) => code in expected.facets.features),
        )
        expect(sortedKeys(actual.facets.country)).toEqual(sortedKeys(expected.facets.country))
      }),
      { numRuns: 300 },
    )
  })

  it('answers as brute force at any instant, in any order of instants, from one index (cut-offs passing and not)', () => {
    const instants = [
      '2026-11-20T00:00:00Z',
      '2026-11-22T09:59:59.999Z',
      '2026-11-22T10:00:00.000Z',
      '2026-11-22T10:00:00.001Z',
      '2026-11-23T16:00:00.001Z',
      '2026-11-30T23:00:00Z',
      '2026-12-01T07:00:00.001Z',
      '2026-12-10T00:00:00Z',
      '2027-01-15T16:00:00.001Z',
    ].map((instant) => new Date(instant))
    fc.assert(
      fc.property(
        catalogueArbitrary,
        fc.array(fc.tuple(fc.constantFrom(...instants), criteriaArbitrary), { minLength: 1, maxLength: 6 }),
        (records, requests) => {
          const index = CatalogueIndex.build(records)
          for (const [now, criteria] of requests) {
            const actual = searchInstruments(index, criteria, now)
            const expected = bruteForce(records, criteria, now)
            expect(actual.items).toEqual(expected.items)
            expect(actual.total).toBe(expected.total)
          }
        },
      ),
      { numRuns: 200 },
    )
  })

  it('match ranks exactly the instruments sharing a feature, by score, deadline and name', () => {
    fc.assert(
      fc.property(catalogueArbitrary, fc.subarray(FEATURE_POOL, { minLength: 1 }), (records, features) => {
        const requested = sortFeatureCodes(features)
        const result = matchInstruments(
          CatalogueIndex.build(records),
          { features: requested, limit: 100 },
          NOW,
        )
        const expected = bruteForce(
          records,
          { features: requested, match: 'any', sort: 'relevance', page: 1, limit: 100 },
          NOW,
        )
        expect(result.total).toBe(expected.total)
        expect(result.items.map((item) => item.instrument.id)).toEqual(expected.items.map((item) => item.id))
        for (const item of result.items) {
          expect(item.matched.length).toBeGreaterThan(0)
          expect([...item.matched, ...item.missing].sort()).toEqual([...requested].sort())
          expect(item.score).toBe(item.matched.length / requested.length)
        }
      }),
      { numRuns: 150 },
    )
  })
})

/** One batch of changes: ids to remove, then records to add or replace (ids from a small pool, so they collide). */
interface ChangeBatch {
  removed: string[]
  upserted: InstrumentRecord[]
}

const ID_POOL = Array.from({ length: 30 }, (_, index) => `id-${String(index).padStart(3, '0')}`)

const changeBatchArbitrary: fc.Arbitrary<ChangeBatch> = fc.record({
  removed: fc.subarray(ID_POOL, { maxLength: 4 }),
  upserted: fc
    .array(
      fc.constantFrom(...ID_POOL).chain((id) => recordArbitrary(id)),
      { maxLength: 4 },
    )
    .map((records) =>
      // A changed record is a new object with a later update, as the store writes it.
      records.map((record, index) => ({ ...record, updatedAt: `2026-11-0${(index % 9) + 1}T00:00:00.000Z` })),
    ),
})

describe('an index updated change by change', () => {
  it('answers every search and match exactly as an index built from scratch, and as brute force', () => {
    fc.assert(
      fc.property(
        catalogueArbitrary,
        fc.array(changeBatchArbitrary, { minLength: 1, maxLength: 8 }),
        fc.array(criteriaArbitrary, { minLength: 1, maxLength: 4 }),
        fc.subarray(FEATURE_POOL, { minLength: 1 }),
        (records, batches, criteriaList, features) => {
          const truth = new Map(records.map((record) => [record.id, record]))
          let index = CatalogueIndex.build(records)
          for (const batch of batches) {
            for (const id of batch.removed) truth.delete(id)
            for (const record of batch.upserted) truth.set(record.id, record)
            index = index.withChanges(batch.upserted, batch.removed)
          }
          const current = [...truth.values()]
          const rebuilt = CatalogueIndex.build(current)
          expect(index.count).toBe(current.length)
          for (const order of ['name', 'deadline', 'updated'] as const) {
            const ids = (built: CatalogueIndex) => [...built.order[order]].map((at) => built.record(at).id)
            expect(ids(index), order).toEqual(ids(rebuilt))
          }
          for (const criteria of criteriaList) {
            const actual = searchInstruments(index, criteria, NOW)
            expect(actual).toEqual(searchInstruments(rebuilt, criteria, NOW))
            const expected = bruteForce(current, criteria, NOW)
            expect(actual.items).toEqual(expected.items)
            expect(actual.total).toBe(expected.total)
          }
          const requested = sortFeatureCodes(features)
          expect(matchInstruments(index, { features: requested, limit: 100 }, NOW)).toEqual(
            matchInstruments(rebuilt, { features: requested, limit: 100 }, NOW),
          )
          for (const record of current) expect(index.get(record.id)).toBe(record)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('leaves the index it was derived from unchanged', () => {
    fc.assert(
      fc.property(catalogueArbitrary, changeBatchArbitrary, criteriaArbitrary, (records, batch, criteria) => {
        const index = CatalogueIndex.build(records)
        const before = searchInstruments(index, criteria, NOW)
        index.withChanges(batch.upserted, batch.removed)
        expect(searchInstruments(index, criteria, NOW)).toEqual(before)
      }),
      { numRuns: 100 },
    )
  })
})

describe("the index builder's fast tokenizer", () => {
  // Letters whose case mapping or decomposition is special, separators, marks and other scripts.
  const TRICKY = [
    ..."aZ9 -':.éÉøØæßẞİıΣσςΩдЖ中٣²ﬁÅﬀǅŉ",
    '  ',
    '\t',
    '\n',
    '\u00a0',
    'e\u0301',
    '\u0301',
    'ΑΣ',
    '\u200b',
    '\u{1f600}',
  ]
  const trickyText = fc.array(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 4 })), {
    maxLength: 12,
  })

  it('finds exactly the words tokenize finds, and names sort as normaliseText has them', () => {
    fc.assert(
      fc.property(trickyText, fc.string({ unit: 'binary', maxLength: 30 }), (parts, binary) => {
        for (const text of [parts.join(''), parts.join(' '), binary]) {
          expect(indexTokens([text])).toEqual(new Set(tokenize(text)))
          expect(sortableName(text)).toBe(normaliseText(text))
        }
      }),
      { numRuns: 1000 },
    )
  })
})

describe('an index loaded from prebuilt parts (what a snapshot stores)', () => {
  it('answers exactly as the index it was exported from, also after changes and a compaction', () => {
    fc.assert(
      fc.property(
        catalogueArbitrary,
        fc.array(changeBatchArbitrary, { maxLength: 4 }),
        fc.array(criteriaArbitrary, { minLength: 1, maxLength: 4 }),
        (records, batches, criteriaList) => {
          let index = CatalogueIndex.build(records)
          for (const batch of batches) index = index.withChanges(batch.upserted, batch.removed)
          const exported = index.prebuilt()
          // Through JSON, as the snapshot carries them.
          const parts = JSON.parse(JSON.stringify(exported)) as typeof exported
          // Records as JSON text, parsed when first used, as a snapshot loads them.
          const loaded = CatalogueIndex.fromPrebuilt(
            parts.records.map((record) => JSON.stringify(record)),
            parts.index,
          )
          const rebuilt = CatalogueIndex.build(parts.records)
          for (const order of ['name', 'deadline', 'updated'] as const) {
            const ids = (built: CatalogueIndex) => [...built.order[order]].map((at) => built.record(at).id)
            expect(ids(loaded), order).toEqual(ids(rebuilt))
          }
          for (const criteria of criteriaList) {
            expect(searchInstruments(loaded, criteria, NOW)).toEqual(
              searchInstruments(rebuilt, criteria, NOW),
            )
          }
          // And it keeps working as an index: changes applied to it match a build.
          const [first] = parts.records
          if (first) {
            const changed = loaded.withChanges([{ ...first, name: 'Zz renamed' }])
            const expected = CatalogueIndex.build([
              ...parts.records.slice(1),
              { ...first, name: 'Zz renamed' },
            ])
            expect(searchInstruments(changed, criteriaList[0] as SearchCriteria, NOW)).toEqual(
              searchInstruments(expected, criteriaList[0] as SearchCriteria, NOW),
            )
          }
        },
      ),
      { numRuns: 150 },
    )
  })

  it('refuses parts computed another way or that do not fit the records', () => {
    const records =
      fc.sample(
        catalogueArbitrary.filter((list) => list.length >= 5),
        { numRuns: 1, seed: 7 },
      )[0] ?? []
    const { index } = CatalogueIndex.build(records).prebuilt()
    const ordered = CatalogueIndex.build(records).prebuilt().records
    const load = (parts: typeof index) => () => CatalogueIndex.fromPrebuilt(ordered, parts)
    expect(load(index)).not.toThrow()
    expect(load({ ...index, format: 'fundfinder-index/0' })).toThrow(/computed as fundfinder-index\/0/)
    expect(load({ ...index, postings: index.postings.slice(0, 8) })).toThrow(/posting/)
    const name = Buffer.from(index.order.name, 'base64')
    name.writeInt32LE(name.readInt32LE(4), 0)
    expect(load({ ...index, order: { ...index.order, name: name.toString('base64') } })).toThrow(
      /permutation/,
    )
    // The same words under other names: the spot check finds an instrument whose words are not indexed to it.
    const renamed = index.vocabulary.map((word) => `x${word}`)
    expect(load({ ...index, vocabulary: renamed })).toThrow(/not indexed/)
    const shiftedExpiry = Buffer.from(index.columns.expiresAt, 'base64')
    for (let at = 0; at < shiftedExpiry.length; at += 8)
      shiftedExpiry.writeDoubleLE(shiftedExpiry.readDoubleLE(at) + 1, at)
    expect(
      load({ ...index, columns: { ...index.columns, expiresAt: shiftedExpiry.toString('base64') } }),
      // Caught by the closings' check first when a sampled instrument has cut-offs.
    ).toThrow(/expiresAt column|closings of a slot do not ascend to its expiry/)
    expect(load({ ...index, ids: index.ids.slice(1) })).toThrow(/one entry per record/)
    const { closings: _closings, ...withoutClosings } = index
    expect(load(withoutClosings)).toThrow(/closings are missing/)
    const reversedDeadlines = Buffer.from(Int32Array.from(reverse(index.order.deadline)).buffer).toString(
      'base64',
    )
    expect(load({ ...index, order: { ...index.order, deadline: reversedDeadlines } })).toThrow(
      /deadline order/,
    )
  })
})

function reverse(encodedOrder: string): number[] {
  const bytes = Buffer.from(encodedOrder, 'base64')
  return Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readInt32LE(index * 4)).reverse()
}
