import { describe, expect, it } from 'vitest'
import { LiveCatalogue } from '../../shared/catalogue/search/live-catalogue'
import { createTestContext } from '../support/context'
import { instrumentInput, syncedContent } from '../support/factories'

/** Every public view of the catalogue that is served from the in-memory projection. */
async function publicViews(t: Awaited<ReturnType<typeof createTestContext>>, word: string) {
  const search = await t.call('GET', `/v1/instruments?q=${word}`)
  const match = await t.call('POST', '/v1/match', { body: { features: ['T13'] } })
  const feed = await t.call('GET', `/v1/feeds/instruments.atom?q=${word}`)
  const calendar = await t.call('GET', `/v1/feeds/deadlines.ics?q=${word}`)
  const exported = await t.call('GET', `/v1/exports/instruments.csv?q=${word}`)
  const page = await t.call('GET', `/?q=${word}`)
  return {
    search: search.json.items.map((item: { name: string }) => item.name),
    match: match.json.items.map((item: { instrument: { name: string } }) => item.instrument.name),
    feed: feed.text,
    calendar: calendar.text,
    exported: exported.text,
    page: page.text,
  }
}

describe('held instruments are never public', () => {
  it('keeps a held call out of search, match, feeds, export and pages until an editor publishes it, and out again when held again', async () => {
    const t = await createTestContext()
    const held = await t.store.create(
      syncedContent({ name: 'Quiverwing drone call', deadline: '2027-06-30' }, { published: false }),
      'sync:eu-ft',
      t.clock.now(),
    )
    await t.store.create(
      instrumentInput({ name: 'Quiverwing visible call', features: ['T13'], deadline: '2027-06-30' }),
      'editor',
      t.clock.now(),
    )
    const hidden = await publicViews(t, 'quiverwing')
    expect(hidden.search).toEqual(['Quiverwing visible call'])
    expect(hidden.match).toEqual(['Quiverwing visible call'])
    for (const text of [hidden.feed, hidden.calendar, hidden.exported, hidden.page]) {
      expect(text).toContain('Quiverwing visible call')
      expect(text).not.toContain('Quiverwing drone call')
    }

    // The editor's PUT publishes it; the warm projection takes the change in.
    const { json: current } = await t.call('GET', `/v1/admin/review`, { role: 'editor' })
    expect(current.items.map((item: { instrument: { id: string } }) => item.instrument.id)).toContain(held.id)
    const { id: _id, version, createdAt, updatedAt, createdBy, updatedBy, ...content } = held
    const { source: _s, featureOrigin: _f, provenance: _p, published: _pub, ...input } = content
    const published = await t.call('PUT', `/v1/instruments/${held.id}`, {
      role: 'editor',
      headers: { 'if-match': `"${version}"` },
      body: input,
    })
    expect(published.status, published.text).toBe(200)
    expect((await publicViews(t, 'quiverwing')).search.sort()).toEqual([
      'Quiverwing drone call',
      'Quiverwing visible call',
    ])

    // Held again (a later sync found no confident features, say): out of every view, incrementally
    // on this instance and on a cold one.
    const again = await t.store.get(held.id)
    await t.store.writeMany(
      [{ action: 'replace', current: again!, input: { ...again!, published: false } }],
      'sync:eu-ft',
      t.clock.now(),
    )
    expect((await publicViews(t, 'quiverwing')).search).toEqual(['Quiverwing visible call'])
    const cold = new LiveCatalogue(t.store)
    expect((await cold.all(t.clock.now())).map((instrument) => instrument.name)).toEqual([
      'Quiverwing visible call',
    ])
  })
})
