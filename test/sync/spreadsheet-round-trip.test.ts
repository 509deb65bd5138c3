import { parse } from 'csv-parse/sync'
import { afterEach, describe, expect, it } from 'vitest'
import { type EuFtStandin, startEuFtStandin } from '../../scripts/lib/eu-ft-standin'
import type { InstrumentRecord } from '../../shared/catalogue/instrument'
import { externalIdFor } from '../../shared/catalogue/sources/eu-ft/map-topic'
import { SOURCE_FIELDS } from '../../shared/catalogue/sources/sync-instruments'
import { csvFile, importCsv } from '../data/support'
import { createTestContext, type TestContext } from '../support/context'
import { portalResult, syncFrom } from './support'

/**
 * A synced call in a spreadsheet and back: what an editor who exports the catalogue, fixes one cell
 * and imports the file expects. The rows the file did not change stay the sync's, the cells it did
 * change become the editor's, and nothing the export wrote (the cut-offs above all) is lost.
 */

const NOW = '2026-12-01T08:00:00.000Z'
const IDENTIFIER = 'HORIZON-CL3-2027-CUTOFFS-01'
const CUT_OFFS = [
  '2027-01-20T17:00:00.000+0100',
  '2027-04-15T17:00:00.000+0200',
  '2027-09-16T17:00:00.000+0200',
]
const BUDGET_OVERVIEW = JSON.stringify({
  budgetYearsColumns: ['2027'],
  budgetTopicActionMap: {
    '1': [
      {
        action: `${IDENTIFIER} - HORIZON-IA HORIZON Innovation Actions`,
        minContribution: 2000000,
        maxContribution: '3500000',
      },
    ],
  },
})

let standin: EuFtStandin | undefined
afterEach(async () => {
  await standin?.stop()
  standin = undefined
})

/** The portal's multiple cut-off topic, with `metadata` overrides. */
function cutOffTopic(metadata: Record<string, string[]> = {}) {
  return portalResult({
    identifier: [IDENTIFIER],
    deadlineModel: ['multiple cut-off'],
    deadlineDate: CUT_OFFS,
    budgetOverview: [BUDGET_OVERVIEW],
    descriptionByte: [
      '<p>Expected Outcome: <b>counter-drone</b> sensors &amp; AI for the detection of UAVs; ' +
        '- a bullet, "quotes", commas; and semicolons.</p>',
    ],
    ...metadata,
  })
}

const sync = (t: TestContext) => syncFrom(t, standin)

async function stored(t: TestContext): Promise<InstrumentRecord> {
  const id = await t.store.findIdByExternalId(externalIdFor(IDENTIFIER))
  const record = id ? await t.store.get(id) : undefined
  if (!record) throw new Error(`${IDENTIFIER} is not in the catalogue`)
  return record
}

/** A synced multiple cut-off call, and the catalogue exported as a spreadsheet user gets it. */
async function syncedAndExported() {
  const t = await createTestContext({ now: NOW })
  standin = await startEuFtStandin({ results: [cutOffTopic()] })
  expect(await sync(t)).toMatchObject({ created: 1, held: 0, failed: 0 })
  const record = await stored(t)
  expect(record.cutOffs).toHaveLength(3)
  expect(record.featureOrigin).toBe('suggested')
  const exported = await t.call('GET', '/v1/exports/instruments.csv')
  expect(exported.status).toBe(200)
  const cells: string[][] = parse(exported.text, { bom: true })
  return { t, record, cells }
}

/** The fields an editor owns on a synced instrument. */
const editorFields = (record: InstrumentRecord) =>
  Object.entries(record.provenance ?? {})
    .filter(([, provenance]) => provenance === 'editor')
    .map(([field]) => field)

describe('a synced call with several cut-offs, exported and imported again', () => {
  it('unedited: every row is unchanged, nothing becomes the editor’s, and the next sync still moves the deadline', async () => {
    const { t, record, cells } = await syncedAndExported()
    const header = cells[0] as string[]
    const row = cells[1] as string[]
    expect(row[header.indexOf('cutOffs')]).toBe((record.cutOffs ?? []).join(';'))

    const version = await t.store.catalogueVersion()
    const imported = await importCsv(t, csvFile(header, cells.slice(1)))
    expect(imported.status).toBe(200)
    expect(imported.json).toMatchObject({ unchanged: 1, updated: 0, created: 0, failed: 0 })
    expect(await t.store.catalogueVersion()).toBe(version)
    const after = await stored(t)
    expect(after).toEqual(record)
    expect(editorFields(after)).toEqual([])

    // The portal moves the last cut-off: the call still follows it.
    t.clock.advance(86_400_000)
    standin?.setResults([
      cutOffTopic({ deadlineDate: [...CUT_OFFS.slice(0, 2), '2027-10-14T17:00:00.000+0200'] }),
    ])
    expect(await sync(t)).toMatchObject({ updated: 1, failed: 0 })
    const moved = await stored(t)
    expect(moved.deadline).toBe('2027-10-14T17:00:00.000+02:00')
    expect(moved.cutOffs?.at(-1)).toBe('2027-10-14T17:00:00.000+02:00')
  })

  it('with the name edited: only the name becomes the editor’s, and the sync keeps following the rest', async () => {
    const { t, record, cells } = await syncedAndExported()
    const header = cells[0] as string[]
    const row = [...(cells[1] as string[])]
    row[header.indexOf('name')] = 'Counter-drone sensors (our title)'

    const imported = await importCsv(t, csvFile(header, [row]))
    expect(imported.json).toMatchObject({ updated: 1, unchanged: 0, failed: 0 })
    const edited = await stored(t)
    expect(edited.name).toBe('Counter-drone sensors (our title)')
    expect(edited.cutOffs).toEqual(record.cutOffs)
    expect(edited.deadline).toBe(record.deadline)
    expect(editorFields(edited)).toEqual(['name'])
    for (const field of SOURCE_FIELDS.filter((field) => field !== 'name'))
      expect(edited.provenance?.[field], field).toBe('source')
    // The features were in the row but nobody chose them: still suggested, still in the review queue.
    expect(edited.featureOrigin).toBe('suggested')
    expect(edited.provenance?.features).not.toBe('editor')

    t.clock.advance(86_400_000)
    standin?.setResults([
      cutOffTopic({
        title: ['Counter-drone detection with radar sensors and AI'],
        deadlineDate: [...CUT_OFFS.slice(0, 2), '2027-10-14T17:00:00.000+0200'],
      }),
    ])
    expect(await sync(t)).toMatchObject({ updated: 1, failed: 0 })
    const synced = await stored(t)
    expect(synced.name).toBe('Counter-drone sensors (our title)')
    expect(synced.deadline).toBe('2027-10-14T17:00:00.000+02:00')
  })

  it('with the cut-offs edited: cut-offs and deadline become the editor’s; a bad cut-off is a row error naming the column', async () => {
    const { t, record, cells } = await syncedAndExported()
    const header = cells[0] as string[]
    const cutOffs = [...(record.cutOffs ?? []).slice(0, 2), '2027-11-30T17:00:00.000+01:00']
    const edited = [...(cells[1] as string[])]
    edited[header.indexOf('cutOffs')] = cutOffs.join('; ')
    edited[header.indexOf('deadline')] = '2027-11-30T17:00:00.000+01:00'

    // The deadline must stay the last cut-off.
    const stale = [...edited]
    stale[header.indexOf('deadline')] = record.deadline as string
    const refused = await importCsv(t, csvFile(header, [stale]))
    expect(refused.json.records[0]).toMatchObject({
      row: 2,
      outcome: 'failed',
      errors: [{ path: 'deadline', message: expect.stringMatching(/last cut-off/) }],
    })

    const bad = [...edited]
    bad[header.indexOf('cutOffs')] = `${record.cutOffs?.[0]};2027-04-15`
    const badReport = await importCsv(t, csvFile(header, [bad]))
    expect(badReport.json.records[0]).toMatchObject({
      outcome: 'failed',
      errors: [
        { path: 'cutOffs', message: expect.stringMatching(/'2027-04-15'.*date-time with its offset/) },
      ],
    })
    expect(await stored(t)).toEqual(record)

    const imported = await importCsv(t, csvFile(header, [edited]))
    expect(imported.json).toMatchObject({ updated: 1, failed: 0 })
    const after = await stored(t)
    expect(after.cutOffs).toEqual(cutOffs)
    expect(editorFields(after).sort()).toEqual(['cutOffs', 'deadline'])
  })

  it('from a file without a cutOffs column (an older export), keeps the stored cut-offs', async () => {
    const { t, record, cells } = await syncedAndExported()
    const header = cells[0] as string[]
    const without = (line: string[]) => line.filter((_, index) => index !== header.indexOf('cutOffs'))
    const unchanged = await importCsv(t, csvFile(without(header), cells.slice(1).map(without)))
    expect(unchanged.json).toMatchObject({ unchanged: 1, updated: 0, failed: 0 })
    expect(await stored(t)).toEqual(record)

    // Such a file cannot move the deadline of a call with cut-offs: it has nowhere to say which.
    const moved = without(cells[1] as string[])
    moved[without(header).indexOf('deadline')] = '2027-12-01T17:00:00.000+01:00'
    const refused = await importCsv(t, csvFile(without(header), [moved]))
    expect(refused.json.records[0]).toMatchObject({
      outcome: 'failed',
      errors: [{ path: 'deadline', message: expect.stringMatching(/no cutOffs column/) }],
    })
    expect(await stored(t)).toEqual(record)
  })
})
