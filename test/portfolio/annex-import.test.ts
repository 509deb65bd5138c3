import { describe, expect, it } from 'vitest'
import { createTestContext } from '../support/context'
import { projectBody } from '../support/factories'
import { ANNEX_2_OPEN_CALL_1, portfolioCaller } from './support'

/**
 * The seed's Annex 2, Open Call 1, read by eye from `003_64a1a149fb9beb97.txt` (the `Y` cells of
 * each project column), independently of the importer.
 */
const EXPECTED: Record<string, { stage: string; features: string }> = {
  SECURVERSE: { stage: 'prototype', features: 'T1 T4 T6 T7 T8 P4 P5 P7 P9 P10 D1 G3' },
  '0-SHIELD': { stage: 'demonstration', features: 'T1 T8 P2 P3 P5 P6 P8 D2 D3 G3' },
  FurienSec: { stage: 'demonstration', features: 'T1 T4 P2 P5 P6 P8 P10 D3 G1 G3' },
  ARSP: { stage: 'demonstration', features: 'T1 T4 T6 T7 T9 T10 T14 P2 P3 P4 P5 P6 P7 P10 G3 G5' },
  BIM2SIM: { stage: 'prototype', features: 'T9 P2 P8 P9 D1 D2 D3 D5' },
  CyberTral: { stage: 'prototype', features: 'T10 P3 P7 P12' },
  CyberSec: { stage: 'demonstration', features: 'P12 G3' },
  DIAC: { stage: 'demonstration', features: 'T2 T3 T9 T10 T11 P14 G1 G3' },
  DigitalFor: {
    stage: 'demonstration',
    features: 'T1 T3 T9 T15 P3 P5 P6 P7 P8 P9 P12 P13 P16 D1 D4 D5 D7 G3 G6 G8',
  },
  'Hel A': { stage: 'demonstration', features: 'T4 T9 T15 D1 D5 D7 G3' },
  IDEAS: { stage: 'demonstration', features: 'T9 P12 D7 G7 G14' },
  INSIOTA: { stage: 'prototype', features: 'T9 T10 P3 P4 P7 P10 D2' },
  Kaleiduro: { stage: 'prototype', features: 'T1 T9 P2 P3 P4 P6 P7 P8 P9 P10 P12 D2 D7' },
  'PIM-SAT': { stage: 'demonstration', features: 'T1 T4 T9 P1 P2 P3 P4 P5 P10 P18 D4 D5 G3 G8' },
  RASAD: { stage: 'demonstration', features: 'P2 P3 P4 P10' },
  ROGID: { stage: 'demonstration', features: 'T1 T6 T9 P2 P3 P4 P5 P6 P7 P8 P14 G3' },
  SecuRAIL: { stage: 'prototype', features: 'T14 P2 P3 P4 P6 D2' },
  ShaulD: { stage: 'demonstration', features: 'T3 T11 P2 P3 P4 P14 G11' },
  SLOPEGU: { stage: 'demonstration', features: 'T1 P2 P3 P4' },
  VASOREE: { stage: 'prototype', features: 'T1 T8 P2 P3 P4 D2 D7' },
  ZENITH: { stage: 'demonstration', features: 'T1 T9 P1 P2 P3 P4 P7 P8 P9 P10 D4' },
}

describe('POST /v1/projects/imports: the seed Annex 2 layout', () => {
  it('imports the 21 Open Call 1 projects with the features marked Y, their stage and application tags', async () => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    const result = await call('POST', '/v1/projects/imports', { csv: ANNEX_2_OPEN_CALL_1 })
    expect(result.status, result.text).toBe(200)
    expect(result.json).toMatchObject({
      dryRun: false,
      layout: 'annex',
      created: 21,
      updated: 0,
      unchanged: 0,
    })
    // The OCR'd "Adaption" cell is not a Y: reported, not counted.
    expect(result.json.warnings).toEqual([
      { path: 'row 7, column C (SECURVERSE)', message: "'Adaption' for T5 is not Y; not counted" },
    ])

    const stored = await t.deps.projects.listAll('ACME')
    expect(stored.map((project) => project.name)).toEqual(Object.keys(EXPECTED))
    for (const project of stored) {
      const expected = EXPECTED[project.name] as { stage: string; features: string }
      expect(project.features.join(' '), project.name).toBe(expected.features)
      expect(project.stage, project.name).toBe(expected.stage)
      expect(project.createdBy).toBe('tester')
    }
    const tags = Object.fromEntries(stored.filter((p) => p.tags).map((p) => [p.name, p.tags]))
    expect(tags).toEqual({
      SECURVERSE: ['remote resur'],
      '0-SHIELD': ['environmental protection'],
      DIAC: ['construction'],
      DigitalFor: ['environmental protection', 'Search and'],
      'Hel A': ['environmental protection', 'construction'],
    })
    const ids = result.json.projects.map((project: { id: string }) => project.id)
    expect(ids).toEqual(stored.map((project) => project.id))
  })

  it('dry-runs without writing, and a second import of the same file changes nothing', async () => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    const dry = await call('POST', '/v1/projects/imports?dryRun=true', { csv: ANNEX_2_OPEN_CALL_1 })
    expect(dry.status, dry.text).toBe(200)
    expect(dry.json).toMatchObject({ dryRun: true, created: 21 })
    expect(dry.json.projects[0]).not.toHaveProperty('id')
    expect(await t.deps.projects.listAll('ACME')).toEqual([])

    await call('POST', '/v1/projects/imports', { csv: ANNEX_2_OPEN_CALL_1 })
    const before = await t.deps.projects.listAll('ACME')
    const again = await call('POST', '/v1/projects/imports', { csv: ANNEX_2_OPEN_CALL_1 })
    expect(again.json).toMatchObject({ created: 0, updated: 0, unchanged: 21 })
    expect(await t.deps.projects.listAll('ACME')).toEqual(before)
  })

  it('updates a project found by name with the fields the file gives, keeping the others', async () => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    const existing = await call('POST', '/v1/projects', {
      body: projectBody({ name: 'securverse', summary: 'Our XR platform', country: 'BE', features: ['G14'] }),
    })
    const result = await call('POST', '/v1/projects/imports', { csv: ANNEX_2_OPEN_CALL_1 })
    expect(result.json).toMatchObject({ created: 20, updated: 1 })
    const updated = await t.deps.projects.get('ACME', existing.json.id)
    expect(updated).toMatchObject({
      name: 'SECURVERSE',
      summary: 'Our XR platform',
      country: 'BE',
      features: EXPECTED.SECURVERSE?.features.split(' '),
      stage: 'prototype',
      version: 2,
    })
  })

  it('reads the tab-separated text as printed in the seed too', async () => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    const tabbed = ANNEX_2_OPEN_CALL_1.split('\n')
      .map((line) => line.replace(/"([^"]*)"/g, (_, inner: string) => inner.replace(/,/g, '§')))
      .map((line) => line.split(',').join('\t').replace(/§/g, ','))
      .join('\n')
    const result = await call('POST', '/v1/projects/imports?dryRun=true&layout=annex', { csv: tabbed })
    expect(result.status, result.text).toBe(200)
    expect(result.json.created).toBe(21)
    expect(result.json.projects.find((p: { name: string }) => p.name === 'ZENITH').features.join(' ')).toBe(
      EXPECTED.ZENITH?.features,
    )
  })
})

describe('POST /v1/projects/imports: one row per project', () => {
  it('creates projects from a header-named CSV, semicolon-separated too', async () => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    const csv = [
      'name;features;country;stage;tags;summary',
      'Harbour drones;T13 T14, P4;dk;Demonstrator;ports|logistics;Inspects quays',
      'Cyber shield;p12;;idea;;',
    ].join('\n')
    const result = await call('POST', '/v1/projects/imports', { csv })
    expect(result.status, result.text).toBe(200)
    expect(result.json).toMatchObject({ layout: 'rows', created: 2 })
    const [harbour, cyber] = await t.deps.projects.listAll('ACME')
    expect(harbour).toMatchObject({
      name: 'Harbour drones',
      features: ['T13', 'T14', 'P4'],
      country: 'DK',
      stage: 'demonstration',
      tags: ['ports', 'logistics'],
      summary: 'Inspects quays',
    })
    expect(cyber).toMatchObject({ name: 'Cyber shield', features: ['P12'], stage: 'idea' })
    expect(cyber).not.toHaveProperty('country')
  })

  it('rejects a file with any bad cell as a whole, naming each problem, and writes nothing', async () => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    const csv = [
      'name,features,country,stage',
      'Good one,T1,DK,prototype',
      'Bad code,T1 X9,DK,prototype',
      'Bad country,T1,Denmark,prototype',
      ',T1,,',
      'Good one,P3,,',
      'No features,,,',
      'Bad stage,T1,,someday',
    ].join('\n')
    const result = await call('POST', '/v1/projects/imports', { csv })
    expect(result.status).toBe(400)
    expect(result.headers.get('content-type')).toContain('application/problem+json')
    const paths = result.json.errors.map((error: { path: string }) => error.path)
    expect(paths).toEqual(
      expect.arrayContaining([
        'row 3: features.1',
        'row 4: country',
        'row 5: name',
        'row 6',
        'row 7: features',
        'row 8: stage',
      ]),
    )
    expect(await t.deps.projects.listAll('ACME')).toEqual([])
  })

  it.each([
    ['an empty file', ''],
    ['an unknown layout', 'title,codes\nA,T1\n'],
    ['an unknown column', 'name,features,budget\nA,T1,100\n'],
    ['an Annex without marks', 'Project,,Alpha\nTechniques,T1 AI,\n'],
    ['an Annex with an unknown code', 'Project,,Alpha\n,T99 Teleportation,Y\n'],
    ['an Annex with marks on a row without code', 'Project,,Alpha\n,Artificial intelligence,Y\n,T1 AI,Y\n'],
    ['broken quoting', 'name,features\n"Alpha,T1\n'],
  ])('refuses %s with a 400 problem', async (_, csv) => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    const result = await call('POST', '/v1/projects/imports', { csv })
    expect(result.status, result.text).toBe(400)
    expect(result.json.errors.length).toBeGreaterThan(0)
    expect(await t.deps.projects.listAll('ACME')).toEqual([])
  })

  it('refuses more than 100 projects, other media types and bad parameters', async () => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    const many = ['name,features', ...Array.from({ length: 101 }, (_, index) => `P${index},T1`)].join('\n')
    const tooMany = await call('POST', '/v1/projects/imports', { csv: many })
    expect(tooMany.status).toBe(400)
    expect(tooMany.json.errors).toEqual([{ path: 'body', message: 'at most 100 projects per import' }])
    const json = await call('POST', '/v1/projects/imports', { body: { name: 'x' } })
    expect(json.status).toBe(415)
    const badQuery = await call('POST', '/v1/projects/imports?dryRun=yes&layout=excel', {
      csv: 'name,features\nA,T1',
    })
    expect(badQuery.status).toBe(400)
    expect(badQuery.json.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'dryRun',
      'layout',
    ])
    expect(await t.deps.projects.listAll('ACME')).toEqual([])
  })
})
