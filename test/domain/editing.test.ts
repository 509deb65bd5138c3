import { describe, expect, it } from 'vitest'
import { highlightEvidence } from '../../functions/web/lib/highlight'
import { describeProject, MAX_PROJECT_DESCRIPTION } from '../../functions/web/lib/project-description'
import { editedContent, editorOf, inputOfRecord, mayEdit } from '../../shared/catalogue/editing'
import { AuthenticationError, type Principal, parseCountriesClaim } from '../../shared/platform/auth'
import { instrumentInput, storedRecord, syncedContent } from '../support/factories'

const principal = (overrides: Partial<Principal>): Principal => ({
  subject: 'u',
  name: 'u',
  roles: ['editor'],
  ...overrides,
})

describe('who may edit what', () => {
  it('an editor with countries is limited to national and regional instruments of them; admins and other editors are not', () => {
    const scoped = editorOf(principal({ countries: ['DK', 'NO'] }))
    expect(scoped.countries).toEqual(['DK', 'NO'])
    expect(mayEdit(scoped, { origin: 'national', country: 'DK' })).toBe(true)
    expect(mayEdit(scoped, { origin: 'regional', country: 'NO' })).toBe(true)
    expect(mayEdit(scoped, { origin: 'national', country: 'SE' })).toBe(false)
    expect(mayEdit(scoped, { origin: 'international' })).toBe(false)
    expect(mayEdit(editorOf(principal({ countries: [] })), { origin: 'national', country: 'DK' })).toBe(false)

    const admin = editorOf(principal({ roles: ['admin'], countries: ['NO'] }))
    expect(admin.countries).toBeUndefined()
    expect(mayEdit(admin, { origin: 'international' })).toBe(true)
    expect(mayEdit(editorOf(principal({})), { origin: 'national', country: 'SE' })).toBe(true)
  })

  it('reads custom:countries as ISO codes, and refuses a claim it cannot read rather than widening it', () => {
    expect(parseCountriesClaim('DK,NO')).toEqual(['DK', 'NO'])
    expect(parseCountriesClaim(' dk , no,DK ')).toEqual(['DK', 'NO'])
    expect(() => parseCountriesClaim('DK,Denmark,XX')).toThrow(AuthenticationError)
    expect(() => parseCountriesClaim('Denmark')).toThrow(AuthenticationError)
    expect(() => parseCountriesClaim(['DK'])).toThrow(AuthenticationError)
    expect(parseCountriesClaim('')).toBeUndefined()
    expect(parseCountriesClaim(undefined)).toBeUndefined()
  })
})

describe('what an editor’s replace stores', () => {
  it('confirms suggested features, publishes a held instrument and marks changed fields of a synced one', () => {
    const current = storedRecord(syncedContent({}, { published: false }))
    const content = editedContent(current, { ...inputOfRecord(current), name: 'Renamed', features: ['T13'] })
    expect(content).toMatchObject({
      name: 'Renamed',
      featureOrigin: 'editor',
      published: true,
      source: current.source,
    })
    expect(content.provenance).toMatchObject({ name: 'editor', features: 'editor', description: 'source' })
    expect(content).not.toHaveProperty('id')
  })

  it('for an import, confirms the features only when it changes them: a held one stays held', () => {
    const current = storedRecord(syncedContent({}, { published: false }))
    const renamed = editedContent(
      current,
      { ...inputOfRecord(current), name: 'Renamed' },
      { confirmsFeatures: false },
    )
    expect(renamed).toMatchObject({ featureOrigin: 'suggested', published: false })
    expect(Object.entries(renamed.provenance ?? {}).filter(([, by]) => by === 'editor')).toEqual([
      ['name', 'editor'],
    ])
    const retagged = editedContent(
      current,
      { ...inputOfRecord(current), features: ['T13'] },
      { confirmsFeatures: false },
    )
    expect(retagged).toMatchObject({ featureOrigin: 'editor', published: true })
    expect(retagged.provenance).toMatchObject({ features: 'editor', name: 'source' })
  })

  it('compares budgets by value, not by key order, and leaves an editor’s own instrument without annotations', () => {
    const current = storedRecord(syncedContent({ budget: { min: 1, max: 2, currency: 'EUR' } }))
    const reordered = { ...inputOfRecord(current), budget: { currency: 'EUR', max: 2, min: 1 } }
    expect(editedContent(current, reordered).provenance?.budget).toBe('source')

    const typed = storedRecord(instrumentInput())
    expect(Object.keys(editedContent(typed, { ...inputOfRecord(typed), name: 'x' })).sort()).toEqual(
      Object.keys({ ...inputOfRecord(typed) }).sort(),
    )
  })
})

describe('evidence marked in a text', () => {
  const drones = { code: 'T13', label: 'UAVs, Drones', evidence: ['drone', 'UAVs'] }
  it('marks each phrase where it stands as a word, naming its features; the rest stays plain', () => {
    const segments = highlightEvidence('A drone and UAVs; drones? AIM no', [
      drones,
      { code: 'T14', label: 'Sensors', evidence: ['drone'] },
      { code: 'T9', label: 'AI (ML)', evidence: ['AI'] },
    ])
    expect(segments).toEqual([
      { text: 'A ' },
      { text: 'drone', features: ['T13 UAVs, Drones', 'T14 Sensors'] },
      { text: ' and ' },
      { text: 'UAVs', features: ['T13 UAVs, Drones'] },
      { text: '; drones? AIM no' },
    ])
  })

  it('gives an overlap to the longer phrase and keeps the text whole', () => {
    const text = 'counter-drone radar'
    const segments = highlightEvidence(text, [
      { code: 'T13', label: 'UAVs, Drones', evidence: ['drone', 'counter-drone'] },
    ])
    expect(segments).toEqual([{ text: 'counter-drone', features: ['T13 UAVs, Drones'] }, { text: ' radar' }])
    expect(segments.map((segment) => segment.text).join('')).toBe(text)
  })
})

describe('describing a project', () => {
  const description = 'We build a counter-drone radar that detects UAVs near airports.'

  it('ticks the confident suggestions when asked, or when nothing is ticked yet', () => {
    const alone = describeProject(description, [], false)
    expect(alone.ticked).toBe(true)
    expect(alone.selected).toContain('T13')
    expect(alone.suggestions.every((suggestion) => suggestion.confident)).toBe(true)

    const asked = describeProject(description, ['G1'], true)
    expect(asked.selected[0]).toBe('G1')
    expect(asked.selected).toContain('T13')
  })

  it('keeps the user’s own ticks otherwise, so an unticked suggestion stays unticked', () => {
    const adjusted = describeProject(description, ['G1'], false)
    expect(adjusted.selected).toEqual(['G1'])
    expect(adjusted.ticked).toBe(false)
    expect(adjusted.suggestions.map((suggestion) => suggestion.code)).toContain('T13')
  })

  it('says what is wrong with an empty or overlong description', () => {
    expect(describeProject('   ', [], true).error).toContain('Describe your project first')
    expect(describeProject('   ', [], false).error).toBeUndefined()
    const long = describeProject('drone '.repeat(MAX_PROJECT_DESCRIPTION), ['T1'], true)
    expect(long.error).toContain(`at most ${MAX_PROJECT_DESCRIPTION} characters`)
    expect(long.selected).toEqual(['T1'])
  })
})
