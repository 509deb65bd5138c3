import { afterEach, describe, expect, it } from 'vitest'
import { type EuFtStandin, type StandinFault, startEuFtStandin } from '../../scripts/lib/eu-ft-standin'
import { expireInstruments } from '../../shared/catalogue/expiry/expire-instruments'
import { type InstrumentRecord, instrumentStatus } from '../../shared/catalogue/instrument'
import { externalIdFor } from '../../shared/catalogue/sources/eu-ft/map-topic'
import { HELD_PLACEHOLDER_FEATURE, SOURCE_FIELDS } from '../../shared/catalogue/sources/sync-instruments'
import { silentLogger } from '../../shared/platform/logger'
import { createTestContext, type TestContext } from '../support/context'
import { instrumentInput } from '../support/factories'
import { portalResult, RECORDED_RESULTS, syncFrom } from './support'

const NOW = '2026-12-01T08:00:00.000Z'

let standin: EuFtStandin | undefined
afterEach(async () => {
  await standin?.stop()
  standin = undefined
})

async function serve(results: unknown[], faults: StandinFault[] = [], ignoreTerms: string[] = []) {
  standin = await startEuFtStandin({ results, faults, ignoreTerms })
  return standin
}

async function stored(t: TestContext, identifier: string): Promise<InstrumentRecord | undefined> {
  const id = await t.store.findIdByExternalId(externalIdFor(identifier))
  return id ? t.store.get(id) : undefined
}

async function auditOf(t: TestContext, instrumentId: string) {
  return (await t.store.listAudit({ instrumentId, limit: 20 })).items.map((event) => [
    event.action,
    event.actor,
  ])
}

/** A topic the suggestion engine is confident about (drones, sensors, AI, detection). */
const confident = (identifier: string, metadata: Record<string, string[]> = {}) =>
  portalResult({ identifier: [identifier], ...metadata })

/** A topic whose text says nothing the taxonomy knows. */
const vague = (identifier: string) =>
  portalResult({ identifier: [identifier], title: ['Support to the Food Safety Authority of The Gambia'] })

describe('syncing the EU Funding & Tenders Portal', () => {
  it('creates the topics, audited as sync:eu-ft, with their source, provenance and suggested features', async () => {
    const t = await createTestContext({ now: NOW })
    const server = await serve([confident('HORIZON-CL3-2027-DRONES-01')])
    const summary = await syncFrom(t, server)
    expect(summary).toMatchObject({
      source: 'eu-ft',
      fetched: 1,
      created: 1,
      updated: 0,
      unchanged: 0,
      withdrawn: 0,
      held: 0,
      failed: 0,
      complete: true,
    })
    const record = await stored(t, 'HORIZON-CL3-2027-DRONES-01')
    expect(record).toMatchObject({
      externalId: 'eu-ft:HORIZON-CL3-2027-DRONES-01',
      kind: 'call',
      origin: 'international',
      funder: 'European Commission',
      programme: 'Horizon Europe',
      deadline: '2027-04-15T17:00:00.000+02:00',
      opensAt: '2027-01-12',
      featureOrigin: 'suggested',
      source: { name: 'eu-ft', id: 'HORIZON-CL3-2027-DRONES-01', syncedAt: NOW },
      createdBy: 'sync:eu-ft',
    })
    expect(record?.published).toBeUndefined()
    expect(record?.features).toEqual(expect.arrayContaining(['T1', 'T13', 'T14']))
    expect(record?.provenance).toEqual(Object.fromEntries(SOURCE_FIELDS.map((field) => [field, 'source'])))
    expect(await auditOf(t, record?.id as string)).toEqual([['created', 'sync:eu-ft']])
  })

  it('writes nothing when nothing changed, not even the catalogue version', async () => {
    const t = await createTestContext({ now: NOW })
    const server = await serve([confident('HORIZON-CL3-2027-SAME-01'), vague('HORIZON-CL3-2027-SAME-02')])
    await syncFrom(t, server)
    const version = await t.store.catalogueVersion()
    t.clock.advance(86_400_000)
    const again = await syncFrom(t, server)
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2, held: 1, failed: 0 })
    expect(await t.store.catalogueVersion()).toBe(version)
    expect((await stored(t, 'HORIZON-CL3-2027-SAME-01'))?.source?.syncedAt).toBe(NOW)
  })

  it('updates a changed deadline or title, as a new version', async () => {
    const t = await createTestContext({ now: NOW })
    const server = await serve([confident('HORIZON-CL3-2027-MOVE-01'), confident('HORIZON-CL3-2027-MOVE-02')])
    await syncFrom(t, server)
    t.clock.advance(3_600_000)
    server.setResults([
      confident('HORIZON-CL3-2027-MOVE-01', { deadlineDate: ['2027-05-20T17:00:00.000+0200'] }),
      confident('HORIZON-CL3-2027-MOVE-02', { title: ['Counter-drone detection with radar sensors and AI'] }),
    ])
    const summary = await syncFrom(t, server)
    expect(summary).toMatchObject({ created: 0, updated: 2, unchanged: 0 })
    const moved = await stored(t, 'HORIZON-CL3-2027-MOVE-01')
    expect(moved).toMatchObject({
      version: 2,
      deadline: '2027-05-20T17:00:00.000+02:00',
      updatedBy: 'sync:eu-ft',
    })
    expect(moved?.source?.syncedAt).toBe(t.clock.now().toISOString())
    expect((await stored(t, 'HORIZON-CL3-2027-MOVE-02'))?.name).toBe(
      'Counter-drone detection with radar sensors and AI',
    )
    expect(await auditOf(t, moved?.id as string)).toEqual([
      ['updated', 'sync:eu-ft'],
      ['created', 'sync:eu-ft'],
    ])
  })

  it('holds a call without a confident suggestion: unpublished, with its best guesses or a placeholder', async () => {
    const t = await createTestContext({ now: NOW })
    const server = await serve([vague('HORIZON-CL3-2027-HELD-01')])
    const summary = await syncFrom(t, server)
    expect(summary).toMatchObject({ created: 1, held: 1 })
    const record = await stored(t, 'HORIZON-CL3-2027-HELD-01')
    expect(record).toMatchObject({ published: false, featureOrigin: 'suggested' })
    expect(record?.features.length).toBeGreaterThanOrEqual(1)
    expect(record?.features.length).toBeLessThanOrEqual(3)

    server.setResults([
      portalResult({
        identifier: ['HORIZON-CL3-2027-HELD-01'],
        title: ['Zzz qqq'],
        typesOfAction: undefined,
        callIdentifier: undefined,
      }),
    ])
    await syncFrom(t, server)
    expect((await stored(t, 'HORIZON-CL3-2027-HELD-01'))?.features).toEqual([HELD_PLACEHOLDER_FEATURE])

    // Once its text gives confident features, it is published with them.
    server.setResults([confident('HORIZON-CL3-2027-HELD-01')])
    expect(await syncFrom(t, server)).toMatchObject({ updated: 1, held: 0 })
    expect((await stored(t, 'HORIZON-CL3-2027-HELD-01'))?.published).toBeUndefined()
  })

  it('lets editors win: fields and features an editor set are kept, the others follow the source', async () => {
    const t = await createTestContext({ now: NOW })
    const server = await serve([vague('HORIZON-CL3-2027-EDIT-01')])
    await syncFrom(t, server)
    const created = (await stored(t, 'HORIZON-CL3-2027-EDIT-01')) as InstrumentRecord
    // What an editor's PUT stores (shared/catalogue/editing.ts marks what the editor set).
    const {
      id: _id,
      version,
      createdAt: _c,
      createdBy: _cb,
      updatedAt: _u,
      updatedBy: _ub,
      ...content
    } = created
    await t.store.replace(
      created.id,
      {
        ...content,
        name: 'Food safety in The Gambia (edited)',
        features: ['P5', 'G1'],
        targetOrganisations: ['public-body'],
        featureOrigin: 'editor',
        published: true,
        provenance: { ...content.provenance, name: 'editor', features: 'editor' },
      },
      version,
      'editor@example.org',
      t.clock.now(),
    )
    t.clock.advance(3_600_000)
    server.setResults([
      portalResult({
        identifier: ['HORIZON-CL3-2027-EDIT-01'],
        title: ['Drone detection with sensors and AI for food safety'],
        deadlineDate: ['2027-06-30T17:00:00.000+0200'],
      }),
    ])
    expect(await syncFrom(t, server)).toMatchObject({ updated: 1, held: 0 })
    const after = await stored(t, 'HORIZON-CL3-2027-EDIT-01')
    expect(after).toMatchObject({
      name: 'Food safety in The Gambia (edited)',
      deadline: '2027-06-30T17:00:00.000+02:00',
      features: ['P5', 'G1'],
      targetOrganisations: ['public-body'],
      featureOrigin: 'editor',
      published: true,
      updatedBy: 'sync:eu-ft',
    })
    expect(after?.provenance).toMatchObject({ name: 'editor', deadline: 'source', features: 'editor' })
    expect(await syncFrom(t, server)).toMatchObject({ updated: 0, unchanged: 1 })
  })

  it("adopts an editor's instrument with the same externalId without changing its fields", async () => {
    const t = await createTestContext({ now: NOW })
    const own = await t.store.create(
      instrumentInput({
        externalId: 'eu-ft:HORIZON-CL3-2027-ADOPT-01',
        name: 'Typed in by an editor',
        origin: 'international',
        country: undefined,
        deadline: '2027-03-31',
      }),
      'editor@example.org',
      t.clock.now(),
    )
    const server = await serve([confident('HORIZON-CL3-2027-ADOPT-01')])
    expect(await syncFrom(t, server)).toMatchObject({ updated: 1 })
    const after = await t.store.get(own.id)
    expect(after).toMatchObject({
      name: 'Typed in by an editor',
      deadline: '2027-03-31',
      features: own.features,
      source: { name: 'eu-ft', id: 'HORIZON-CL3-2027-ADOPT-01' },
    })
    expect(after?.featureOrigin).toBeUndefined()
    expect(new Set(Object.values(after?.provenance ?? {}))).toEqual(new Set(['editor']))
  })

  it('withdraws what a complete read no longer lists before its deadline, and nothing else', async () => {
    const t = await createTestContext({ now: NOW })
    const editorsOwn = await t.store.create(instrumentInput({ name: 'Not synced' }), 'editor', t.clock.now())
    const server = await serve([
      confident('HORIZON-CL3-2027-KEEP-01'),
      confident('HORIZON-CL3-2027-GONE-01'),
      confident('HORIZON-CL3-2027-DUE-01', {
        startDate: ['2026-10-01T00:00:00.000+0000'],
        deadlineDate: ['2026-12-02T17:00:00.000+0100'],
      }),
      confident('HORIZON-CL3-2027-SHUT-01'),
    ])
    expect(await syncFrom(t, server)).toMatchObject({ created: 4, failed: 0 })
    t.clock.set('2026-12-03T08:00:00.000Z')
    server.setResults([
      confident('HORIZON-CL3-2027-KEEP-01'),
      confident('HORIZON-CL3-2027-SHUT-01', { status: ['31094503'] }),
    ])
    const summary = await syncFrom(t, server)
    // The portal is asked for open and forthcoming topics only: a closed one is simply not listed.
    expect(summary).toMatchObject({ unchanged: 1, withdrawn: 2, closed: 0, failed: 0, complete: true })
    for (const identifier of ['HORIZON-CL3-2027-GONE-01', 'HORIZON-CL3-2027-SHUT-01']) {
      expect(await stored(t, identifier)).toBeUndefined()
    }
    const archive = (await t.store.listArchive({ reason: 'withdrawn', limit: 10 })).items
    expect(archive.map((entry) => entry.instrument.source?.id).sort()).toEqual([
      'HORIZON-CL3-2027-GONE-01',
      'HORIZON-CL3-2027-SHUT-01',
    ])
    expect(archive[0]).toMatchObject({ reason: 'withdrawn', archivedBy: 'sync:eu-ft' })
    expect((await auditOf(t, archive[0]?.instrument.id as string))[0]).toEqual(['withdrawn', 'sync:eu-ft'])
    // Past its deadline: the expiry job's, not a withdrawal.
    expect(await stored(t, 'HORIZON-CL3-2027-DUE-01')).toBeDefined()
    expect(await t.store.get(editorsOwn.id)).toBeDefined()
  })

  it('counts a topic the portal lists as closed and withdraws it', async () => {
    const t = await createTestContext({ now: NOW })
    const server = await serve([confident('HORIZON-CL3-2027-CLOSED-01')], [], ['status'])
    await syncFrom(t, server)
    server.setResults([
      confident('HORIZON-CL3-2027-CLOSED-01', { status: ['31094503'] }),
      confident('HORIZON-CL3-2027-NEW-01', { status: ['31094503'] }),
    ])
    expect(await syncFrom(t, server)).toMatchObject({
      fetched: 2,
      created: 0,
      closed: 2,
      withdrawn: 1,
      failed: 0,
    })
    expect(await stored(t, 'HORIZON-CL3-2027-CLOSED-01')).toBeUndefined()
    expect(await stored(t, 'HORIZON-CL3-2027-NEW-01')).toBeUndefined()
  })

  it('with a programme filter, withdraws only within those programmes', async () => {
    const t = await createTestContext({ now: NOW })
    const life = { frameworkProgramme: ['43252405'] }
    const server = await serve([confident('HORIZON-CL3-2027-PROG-01'), confident('LIFE-2027-PROG-01', life)])
    await syncFrom(t, server)
    server.setResults([confident('LIFE-2027-PROG-01', life)])
    const filtered = await syncFrom(t, server, {
      config: {
        ...t.config,
        euFt: {
          ...t.config.euFt,
          searchUrl: server.url,
          pageSize: 10,
          pageDelayMs: 0,
          programmes: ['43252405'],
        },
      },
    })
    expect(filtered).toMatchObject({ fetched: 1, unchanged: 1, withdrawn: 0 })
    expect(await stored(t, 'HORIZON-CL3-2027-PROG-01')).toBeDefined()
    expect(
      JSON.parse(server.requests.at(-1)?.parts.find((part) => part.name === 'query')?.body ?? '{}').bool.must,
    ).toContainEqual({
      terms: { frameworkProgramme: ['43252405'] },
    })
  })

  it('refuses to withdraw most of the catalogue at once: an empty answer looks complete', async () => {
    const t = await createTestContext({ now: NOW })
    const many = Array.from({ length: 12 }, (_, index) => confident(`HORIZON-CL3-2027-MANY-${index + 10}`))
    const server = await serve(many)
    expect(await syncFrom(t, server)).toMatchObject({ created: 12 })
    server.setResults([])
    const summary = await syncFrom(t, server)
    expect(summary).toMatchObject({ withdrawn: 0, failed: 1 })
    expect(summary.failures[0]).toMatchObject({ identifier: 'withdrawal' })
    expect(summary.failures[0]?.reason).toMatch(/no longer lists 12 of the 12/)
    expect(await stored(t, 'HORIZON-CL3-2027-MANY-10')).toBeDefined()
  })

  it('withdraws nothing on a sync from a recorded file: a recording is the past, not what is listed now', async () => {
    const t = await createTestContext({ now: NOW })
    const live = ['01', '02', '03', '04'].map((n) => confident(`HORIZON-CL3-2027-LIVE-${n}`))
    const server = await serve(live)
    expect(await syncFrom(t, server)).toMatchObject({ created: 4, failed: 0 })
    // An older recording that lists one of them (a quarter: within the guard against broken reads).
    const recorded = { results: [live[0]] }
    for (const asRecorded of [false, true]) {
      const summary = await syncFrom(t, undefined, { recorded, asRecorded })
      expect(summary).toMatchObject({ unchanged: 1, withdrawn: 0, failed: 0, complete: true })
    }
    expect(await syncFrom(t, undefined, { recorded: { results: [] }, dryRun: true })).toMatchObject({
      withdrawn: 0,
      failed: 0,
    })
    expect((await t.store.loadCatalogue()).records).toHaveLength(4)
    expect((await t.store.listArchive({ reason: 'withdrawn', limit: 10 })).items).toEqual([])
  })

  it('does not create a topic whose deadline has passed, unless replaying a recording as recorded', async () => {
    const t = await createTestContext({ now: NOW })
    const late = confident('HORIZON-CL3-2026-LATE-01', {
      startDate: ['2026-09-01T00:00:00.000+0000'],
      deadlineDate: ['2026-11-20T17:00:00.000+0100'],
    })
    const server = await serve([late])
    expect(await syncFrom(t, server)).toMatchObject({ created: 0, closed: 1 })
    expect(await stored(t, 'HORIZON-CL3-2026-LATE-01')).toBeUndefined()

    const recorded = [{ ...late, _recorded: { source: 'test', at: '2026-11-01T09:00:00Z' } }]
    expect(await syncFrom(t, undefined, { recorded })).toMatchObject({ created: 0, closed: 1 })
    expect(await syncFrom(t, undefined, { recorded, asRecorded: true })).toMatchObject({
      created: 1,
      closed: 0,
    })
    expect((await stored(t, 'HORIZON-CL3-2026-LATE-01'))?.source?.syncedAt).toBe('2026-11-01T09:00:00.000Z')
  })

  it('a dry run counts what it would do and writes nothing', async () => {
    const t = await createTestContext({ now: NOW })
    const server = await serve([confident('HORIZON-CL3-2027-DRY-01'), vague('HORIZON-CL3-2027-DRY-02')])
    const summary = await syncFrom(t, server, { dryRun: true })
    expect(summary).toMatchObject({ created: 2, held: 1, dryRun: true })
    expect(await t.store.catalogueVersion()).toBe(0)
  })
})

describe('bad input and faults, against the stand-in', () => {
  it('reports each bad topic and page, syncs the others, writes nothing half-mapped, withdraws nothing', async () => {
    const t = await createTestContext({ now: NOW })
    // An instrument from an earlier sync that this read does not list: kept, the read is incomplete.
    const earlier = await serve([confident('HORIZON-CL3-2027-EARLIER-01')])
    await syncFrom(t, earlier)
    await earlier.stop()

    const good = confident('HORIZON-CL3-2027-GOOD-01')
    const bad = {
      noIdentifier: portalResult({ identifier: undefined }),
      noTitle: portalResult(
        { identifier: ['HORIZON-CL3-2027-NOTITLE'], title: undefined },
        { summary: null, content: null },
      ),
      badDate: portalResult({ identifier: ['HORIZON-CL3-2027-BADDATE'], deadlineDate: ['next spring'] }),
      newStatus: portalResult({ identifier: ['HORIZON-CL3-2027-NEWSTATUS'], status: ['31094599'] }),
    }
    const html = portalResult({
      identifier: ['HORIZON-CL3-2027-HTML-01'],
      title: ['<b>Drone</b> detection &amp; <script>alert(1)</script>sensors'],
      descriptionByte: ['<p onclick="x()">AI for <i>UAV</i> detection</p><script>document.cookie</script>'],
    })
    const huge = portalResult({
      identifier: ['HORIZON-CL3-2027-HUGE-01'],
      descriptionByte: [`<p>${'drone detection sensors '.repeat(440_000)}</p>`],
    })
    const server = await serve(
      [good, bad.noIdentifier, bad.noTitle, bad.badDate, bad.newStatus, html, huge],
      [
        { page: 1, fault: { status: 500 } },
        { page: 2, fault: { kind: 'timeout' } },
        { page: 2, fault: { kind: 'html' } },
      ],
      // A status the query does not ask for only arrives if the portal ignores the filter.
      ['status'],
    )
    server.addToPage(2, [good])
    const summary = await syncFrom(t, server, {
      config: { ...t.config, euFt: { ...t.config.euFt, searchUrl: server.url, pageSize: 4, pageDelayMs: 0 } },
      // Long enough for the 10 MB page on a busy machine; the injected time-out waits it out once.
      client: { retryBaseMs: 5, timeoutMs: 10000 },
    })

    expect(summary).toMatchObject({ fetched: 8, created: 3, withdrawn: 0, failed: 5, complete: false })
    const failures = Object.fromEntries(
      summary.failures.map((failure) => [failure.identifier, failure.reason]),
    )
    expect(failures).toEqual({
      [bad.noIdentifier.reference]: 'no identifier',
      'HORIZON-CL3-2027-NOTITLE': 'no title',
      'HORIZON-CL3-2027-BADDATE': "unparseable deadline 'next spring'",
      'HORIZON-CL3-2027-NEWSTATUS': "unknown status code '31094599'",
      'HORIZON-CL3-2027-GOOD-01': expect.stringMatching(
        /^duplicate: the same result .* came on page 1; ignored$/,
      ),
    })
    for (const identifier of [
      'HORIZON-CL3-2027-NOTITLE',
      'HORIZON-CL3-2027-BADDATE',
      'HORIZON-CL3-2027-NEWSTATUS',
    ]) {
      expect(await stored(t, identifier), identifier).toBeUndefined()
    }
    expect(await stored(t, 'HORIZON-CL3-2027-EARLIER-01')).toBeDefined()
    const cleaned = await stored(t, 'HORIZON-CL3-2027-HTML-01')
    expect(cleaned).toMatchObject({ name: 'Drone detection & sensors', description: 'AI for UAV detection' })
    const trimmed = await stored(t, 'HORIZON-CL3-2027-HUGE-01')
    expect(trimmed?.description.length).toBeLessThanOrEqual(5000)
    expect(summary.warnings.map((warning) => warning.identifier)).toContain('HORIZON-CL3-2027-HUGE-01')
    // The 500 and the time-out were retried: every page was read in the end.
    expect(server.requests.filter((request) => request.pageNumber === 2)).toHaveLength(3)
  })

  it.each([
    ['answers 500', { status: 500 }],
    ['times out', { kind: 'timeout' }],
    ['returns HTML instead of JSON', { kind: 'html' }],
    ['returns a malformed page', { kind: 'malformed-page' }],
  ] as const)(
    'when the source %s on a page, syncs the other pages and withdraws nothing',
    async (_case, fault) => {
      const t = await createTestContext({ now: NOW })
      const first = Array.from({ length: 10 }, (_, index) => confident(`HORIZON-CL3-2027-P1-${index + 10}`))
      const second = Array.from({ length: 3 }, (_, index) => confident(`HORIZON-CL3-2027-P2-${index + 10}`))
      const server = await serve([...first, ...second])
      await syncFrom(t, server)
      server.setResults([...first.slice(1), ...second])
      server.addFault({ page: 2, times: Number.POSITIVE_INFINITY, fault })
      t.clock.advance(60_000)
      const summary = await syncFrom(t, server, {
        client: { retryBaseMs: 5, timeoutMs: 1000, maxAttempts: 2 },
      })
      expect(summary).toMatchObject({ complete: false, withdrawn: 0, unchanged: 10 })
      expect(summary.failures[0]?.identifier).toBe('page 2')
      // P1-10 is listed no more, but the read is incomplete: still in the catalogue.
      expect(await stored(t, 'HORIZON-CL3-2027-P1-10')).toBeDefined()
    },
  )
})

describe('the recorded 2026 topics', () => {
  it('load through the file path: open ones now, or all as recorded with the closed ones expired at once', async () => {
    const recorded = { results: RECORDED_RESULTS }
    const now = await createTestContext({ now: NOW })
    const current = await syncFrom(now, undefined, { recorded })
    expect(current.fetched).toBe(RECORDED_RESULTS.length)
    expect(current.created + current.closed + current.failed).toBe(current.fetched)
    expect(current.failed).toBe(2)
    expect(current.held).toBeGreaterThan(0)
    expect(current.held).toBeLessThan(current.created)
    const live = (await now.store.loadCatalogue()).records
    for (const record of live) expect(instrumentStatus(record, now.clock.now())).not.toBe('expired')

    const replay = await createTestContext({ now: NOW })
    const asRecorded = await syncFrom(replay, undefined, { recorded, asRecorded: true })
    expect(asRecorded.created).toBeGreaterThan(current.created)
    const expiry = await expireInstruments({ store: replay.store, clock: replay.clock, logger: silentLogger })
    expect(expiry.archived).toBe(asRecorded.created - current.created)
    expect((await replay.store.loadCatalogue()).records.map((record) => record.externalId).sort()).toEqual(
      live.map((record) => record.externalId).sort(),
    )
  }, 120_000)

  it('served page by page by the stand-in, sync like the file', async () => {
    const fromFile = await syncFrom(await createTestContext({ now: NOW }), undefined, {
      recorded: { results: RECORDED_RESULTS },
    })
    const t = await createTestContext({ now: NOW })
    const server = await serve([...RECORDED_RESULTS])
    const fromPortal = await syncFrom(t, server, {
      config: {
        ...t.config,
        euFt: { ...t.config.euFt, searchUrl: server.url, pageSize: 100, pageDelayMs: 0 },
      },
    })
    expect(server.requests.map((request) => request.pageNumber)).toEqual([1, 2, 3, 4])
    const counts = ({ fetched, created, closed, failed, held, complete }: typeof fromFile) => ({
      fetched,
      created,
      closed,
      failed,
      held,
      complete,
    })
    expect(counts(fromPortal)).toEqual(counts(fromFile))
  }, 120_000)
})
