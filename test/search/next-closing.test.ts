import { describe, expect, it } from 'vitest'
import { createTestContext, type TestContext } from '../support/context'
import { seedInstruments } from '../support/factories'

/**
 * A multiple cut-off call stays open until its last cut-off, but what users ask of search ("closing
 * within a week", "closing before X", soonest first) is about its next cut-off: the one the result
 * card counts down to.
 */

// Now: Sunday 22 November 2026, 11:00 in Brussels.
const CUT_OFFS = ['2026-11-25T16:00:00Z', '2027-01-21T16:00:00Z'] // in 3 days, in 60 days

async function search(t: TestContext, query: string) {
  const response = await t.call('GET', `/v1/instruments?${query}`)
  expect(response.status, response.text).toBe(200)
  return (response.json as { items: { name: string }[] }).items.map((item) => item.name)
}

async function catalogue() {
  const t = await createTestContext()
  await seedInstruments(t, [
    { name: 'Two cut-offs', deadline: CUT_OFFS[1], cutOffs: CUT_OFFS },
    { name: 'In a week', deadline: '2026-11-29' },
    { name: 'In a month', deadline: '2026-12-22' },
    { name: 'Open-ended', deadline: undefined },
  ])
  return t
}

describe('a call with cut-offs in 3 and in 60 days', () => {
  it('is closing within 7 days, and sorts by its next cut-off', async () => {
    const t = await catalogue()
    expect(await search(t, 'closingWithin=7&sort=deadline')).toEqual(['Two cut-offs', 'In a week'])
    expect(await search(t, 'sort=deadline')).toEqual([
      'Two cut-offs',
      'In a week',
      'In a month',
      'Open-ended',
    ])
    // Relevance: equal matches, then soonest next closing.
    expect(await search(t, 'features=T1')).toEqual(['Two cut-offs', 'In a week', 'In a month', 'Open-ended'])
    const matched = await t.call('POST', '/v1/match', { body: { features: ['T1'] } })
    expect(matched.json.items.map((item: { instrument: { name: string } }) => item.instrument.name)).toEqual([
      'Two cut-offs',
      'In a week',
      'In a month',
      'Open-ended',
    ])
  })

  it('matches a deadline range when one of its remaining closings falls in it', async () => {
    const t = await catalogue()
    // Closing on or before 30 November: its next cut-off does.
    expect(await search(t, 'deadlineTo=2026-11-30&sort=deadline')).toEqual(['Two cut-offs', 'In a week'])
    // Closing on or after 1 December: it can still be applied to then (its last cut-off).
    expect(await search(t, 'deadlineFrom=2026-12-01&sort=deadline')).toEqual(['Two cut-offs', 'In a month'])
    // December itself: none of its cut-offs is in December.
    expect(await search(t, 'deadlineFrom=2026-12-01&deadlineTo=2026-12-31')).toEqual(['In a month'])
    expect(await search(t, 'deadlineFrom=2027-01-21&deadlineTo=2027-01-21')).toEqual(['Two cut-offs'])
  })

  it('counts to its last cut-off once the first has passed, and stays listed until then', async () => {
    const t = await catalogue()
    expect(await search(t, 'closingWithin=7')).toContain('Two cut-offs')
    // Thursday 26 November: the first cut-off passed yesterday; the same index, a later request.
    t.clock.set('2026-11-26T09:00:00Z')
    expect(await search(t, 'closingWithin=7&sort=deadline')).toEqual(['In a week'])
    expect(await search(t, 'sort=deadline')).toEqual([
      'In a week',
      'In a month',
      'Two cut-offs',
      'Open-ended',
    ])
    expect(await search(t, 'deadlineTo=2026-11-30')).toEqual(['In a week'])
    // Past the last cut-off it has closed.
    t.clock.set('2027-01-21T16:00:00.001Z')
    expect(await search(t, 'sort=deadline')).toEqual(['Open-ended'])
    // And a request as of an earlier instant (another clock) sees the first cut-off again.
    t.clock.set('2026-11-22T10:00:00Z')
    expect(await search(t, 'closingWithin=7&sort=deadline')).toEqual(['Two cut-offs', 'In a week'])
  })
})
