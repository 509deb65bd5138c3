import { describe, expect, it } from 'vitest'
import { inputOfRecord } from '../../shared/catalogue/editing'
import type { InstrumentContent, InstrumentRecord } from '../../shared/catalogue/instrument'
import { createTestContext, type TestContext } from '../support/context'
import { instrumentBody, instrumentInput, syncedContent } from '../support/factories'

/** Creates content as the sync would, at a given instant (the queue is ordered by `createdAt`). */
function seedAt(t: TestContext, content: InstrumentContent, at: string) {
  return t.store.create(content, 'sync:eu-ft', new Date(at))
}

const bearer = async (t: TestContext, options: Parameters<TestContext['token']>[0]) => ({
  authorization: `Bearer ${await t.token(options)}`,
})

describe('the review queue', () => {
  it('lists held instruments and suggested features oldest first, says why, shows the evidence, and pages through each once', async () => {
    const t = await createTestContext()
    await seedAt(t, instrumentInput({ name: 'Typed by an editor' }), '2026-10-01T08:00:00Z')
    const suggestedLater = await seedAt(t, syncedContent(), '2026-11-03T08:00:00Z')
    const held = await seedAt(
      t,
      syncedContent(
        { name: 'Support to public administrations', description: 'Grants.', features: ['G1'] },
        {
          published: false,
        },
      ),
      '2026-11-01T08:00:00Z',
    )
    const suggested = await seedAt(t, syncedContent(), '2026-11-02T08:00:00Z')

    const first = await t.call('GET', '/v1/admin/review?limit=2', { role: 'editor' })
    expect(first.status).toBe(200)
    expect(first.headers.get('cache-control')).toBe('no-store')
    expect(first.json.items.map((item: { instrument: { id: string } }) => item.instrument.id)).toEqual([
      held.id,
      suggested.id,
    ])
    expect(first.json.items.map((item: { reason: string }) => item.reason)).toEqual(['held', 'suggested'])
    const [heldItem, suggestedItem] = first.json.items
    expect(heldItem.instrument).not.toHaveProperty('published')
    for (const attribute of ['reviewQueue', 'reviewCountry', 'reviewSince'])
      expect(suggestedItem.instrument).not.toHaveProperty(attribute)
    // The evidence is read from the name and the description, as written there.
    const drones = suggestedItem.suggestions.find((suggestion: { code: string }) => suggestion.code === 'T13')
    expect(drones).toMatchObject({ label: 'UAVs, Drones', confident: true })
    expect(drones.evidence).toEqual(expect.arrayContaining(['Drone', 'Counter-drone', 'UAVs']))
    expect(first.json.nextCursor).toEqual(expect.any(String))

    const second = await t.call('GET', `/v1/admin/review?limit=2&cursor=${first.json.nextCursor}`, {
      role: 'admin',
    })
    expect(second.status).toBe(200)
    expect(second.json.items.map((item: { instrument: { id: string } }) => item.instrument.id)).toEqual([
      suggestedLater.id,
    ])
    expect(second.json.nextCursor).toBeUndefined()

    const tampered = await t.call('GET', '/v1/admin/review?cursor=bm90LWEtY3Vyc29y', { role: 'editor' })
    expect(tampered.status).toBe(400)
    expect(tampered.json.errors).toEqual([{ path: 'cursor', message: expect.any(String) }])
  })

  it('an editor’s PUT confirms the features and publishes a held instrument; either way it leaves the queue', async () => {
    const t = await createTestContext()
    const held = await seedAt(t, syncedContent({}, { published: false }), '2026-11-01T08:00:00Z')
    const suggested = await seedAt(t, syncedContent(), '2026-11-02T08:00:00Z')

    const unknown = await t.call('GET', '/v1/instruments/no-such-id')
    const hidden = await t.call('GET', `/v1/instruments/${held.id}`)
    expect(hidden.status).toBe(404)
    const withoutInstance = ({ instance: _i, requestId: _r, ...rest }: Record<string, unknown>) => rest
    expect(withoutInstance(hidden.json)).toEqual({
      ...withoutInstance(unknown.json),
      detail: unknown.json.detail.replace('no-such-id', held.id),
    })

    const published = await t.call('PUT', `/v1/instruments/${held.id}`, {
      role: 'editor',
      headers: { 'if-match': '"1"' },
      body: { ...inputOfRecord(held), features: ['T13', 'P3'] },
    })
    expect(published.status).toBe(200)
    expect(published.json).toMatchObject({ featureOrigin: 'editor', features: ['T13', 'P3'], version: 2 })
    expect(published.json).not.toHaveProperty('published')
    expect((await t.call('GET', `/v1/instruments/${held.id}`)).status).toBe(200)

    // Confirming the suggestions unchanged is an editor's choice too.
    const confirmed = await t.call('PUT', `/v1/instruments/${suggested.id}`, {
      role: 'editor',
      headers: { 'if-match': '"1"' },
      body: inputOfRecord(suggested),
    })
    expect(confirmed.status).toBe(200)
    expect(confirmed.json.featureOrigin).toBe('editor')

    const queue = await t.call('GET', '/v1/admin/review', { role: 'editor' })
    expect(queue.json.items).toEqual([])
    const stored = await t.store.get(held.id)
    expect(stored).toMatchObject({ published: true, featureOrigin: 'editor', source: held.source })
    expect(stored?.provenance).toMatchObject({ features: 'editor', name: 'source', deadline: 'source' })
    expect((await t.store.get(suggested.id))?.provenance?.features).toBe('editor')
  })

  it('on a synced instrument marks every field the editor changed, and keeps the source and earlier marks', async () => {
    const t = await createTestContext()
    const content = syncedContent({}, { featureOrigin: 'editor' })
    const synced = await seedAt(
      t,
      { ...content, provenance: { ...content.provenance, funder: 'editor' } },
      '2026-11-01T08:00:00Z',
    )

    const changed = await t.call('PUT', `/v1/instruments/${synced.id}`, {
      role: 'editor',
      headers: { 'if-match': '"1"' },
      body: {
        ...inputOfRecord(synced),
        name: 'Counter-UAS for border guards',
        deadline: '2027-05-31',
        budget: { max: 2e6, currency: 'EUR' },
      },
    })
    expect(changed.status).toBe(200)
    expect(changed.json.source).toEqual(synced.source)
    expect(changed.json.provenance).toEqual({
      ...content.provenance,
      name: 'editor',
      deadline: 'editor',
      budget: 'editor',
      funder: 'editor',
    })
    // A field the editor removes is theirs too: the sync must not bring it back.
    const { programme: _programme, ...withoutProgramme } = inputOfRecord((await t.store.get(synced.id))!)
    const removed = await t.call('PUT', `/v1/instruments/${synced.id}`, {
      role: 'editor',
      headers: { 'if-match': '"2"' },
      body: withoutProgramme,
    })
    expect(removed.json.provenance).toMatchObject({
      programme: 'editor',
      description: 'source',
      features: 'source',
    })
  })

  it('an instrument an editor typed gets no annotations from a PUT', async () => {
    const t = await createTestContext()
    const created = await t.call('POST', '/v1/instruments', { role: 'editor', body: instrumentBody() })
    const replaced = await t.call('PUT', `/v1/instruments/${created.json.id}`, {
      role: 'editor',
      headers: { 'if-match': '"1"' },
      body: instrumentBody({ name: 'Renamed' }),
    })
    expect(replaced.status).toBe(200)
    for (const annotation of ['featureOrigin', 'published', 'source', 'provenance'])
      expect(await t.store.get(created.json.id)).not.toHaveProperty(annotation)
  })

  it('a held instrument stays unknown to the public once archived, and returns to the queue when restored', async () => {
    const t = await createTestContext()
    const held = await seedAt(t, syncedContent({}, { published: false }), '2026-11-01T08:00:00Z')
    const shown = await seedAt(t, syncedContent(), '2026-11-02T08:00:00Z')
    for (const { id } of [held, shown]) {
      const deleted = await t.call('DELETE', `/v1/instruments/${id}`, {
        role: 'admin',
        headers: { 'if-match': '"1"' },
      })
      expect(deleted.status).toBe(204)
    }
    expect((await t.call('GET', '/v1/admin/review', { role: 'admin' })).json.items).toEqual([])
    expect((await t.call('GET', `/v1/instruments/${held.id}`)).status).toBe(404)
    expect((await t.call('GET', `/v1/instruments/${shown.id}`)).status).toBe(410)

    const restored = await t.call('POST', `/v1/admin/archive/${held.id}/restore`, { role: 'admin', body: {} })
    expect(restored.status).toBe(200)
    const queue = await t.call('GET', '/v1/admin/review', { role: 'admin' })
    expect(
      queue.json.items.map((item: { reason: string; instrument: { id: string } }) => [
        item.instrument.id,
        item.reason,
      ]),
    ).toEqual([[held.id, 'held']])
  })

  it('a spreadsheet import that changes a synced instrument follows the editing rules; one that changes nothing writes nothing', async () => {
    const t = await createTestContext()
    const synced = await seedAt(t, syncedContent(), '2026-11-01T08:00:00Z')
    const importRows = (rows: unknown[]) => t.call('POST', '/v1/admin/imports', { role: 'admin', body: rows })

    const unchanged = await importRows([inputOfRecord(synced)])
    expect(unchanged.json).toMatchObject({ unchanged: 1, updated: 0 })
    expect((await t.store.get(synced.id))?.featureOrigin).toBe('suggested')

    // A row carries the features whether or not anyone looked at them: only the name is the editor's.
    const renamed = await importRows([{ ...inputOfRecord(synced), name: 'Renamed in the spreadsheet' }])
    expect(renamed.json).toMatchObject({ updated: 1 })
    const stored = await t.store.get(synced.id)
    expect(stored).toMatchObject({ featureOrigin: 'suggested', source: synced.source })
    expect(stored?.provenance).toMatchObject({ name: 'editor', features: 'source', description: 'source' })
    const queue = async () =>
      (await t.call('GET', '/v1/admin/review', { role: 'admin' })).json.items.map(
        (item: { instrument: { id: string } }) => item.instrument.id,
      )
    expect(await queue()).toEqual([synced.id])

    // One that changes the features is the editor's choice of them, as a PUT is.
    const retagged = await importRows([
      { ...inputOfRecord(stored as InstrumentRecord), features: ['T13', 'T14', 'P12'] },
    ])
    expect(retagged.json).toMatchObject({ updated: 1 })
    const confirmed = await t.store.get(synced.id)
    expect(confirmed).toMatchObject({ featureOrigin: 'editor', name: 'Renamed in the spreadsheet' })
    expect(confirmed?.provenance).toMatchObject({ name: 'editor', features: 'editor', description: 'source' })
    expect(await queue()).toEqual([])
  })
})

describe('national contact points (custom:countries)', () => {
  it('review only their countries’ national and regional instruments, merged oldest first and paged', async () => {
    const t = await createTestContext()
    const at = (day: number) => `2026-11-${String(day).padStart(2, '0')}T08:00:00Z`
    const national = (country: string) => ({ origin: 'national' as const, country })
    const dk1 = await seedAt(t, syncedContent(national('DK')), at(1))
    await seedAt(t, syncedContent(), at(2))
    const no1 = await seedAt(
      t,
      syncedContent({ origin: 'regional', country: 'NO', region: 'Vestland' }),
      at(3),
    )
    await seedAt(t, syncedContent(national('SE')), at(4))
    const dk2 = await seedAt(
      t,
      syncedContent({ origin: 'regional', country: 'DK', region: 'Hovedstaden' }),
      at(5),
    )
    const no2 = await seedAt(t, syncedContent(national('NO'), { published: false }), at(6))
    const scoped = await bearer(t, { roles: ['editor'], countries: ['NO', 'DK'] })
    const ids = (json: { items: { instrument: { id: string } }[] }) =>
      json.items.map((item) => item.instrument.id)

    const first = await t.call('GET', '/v1/admin/review?limit=2', { headers: scoped })
    expect(ids(first.json)).toEqual([dk1.id, no1.id])
    const second = await t.call('GET', `/v1/admin/review?limit=2&cursor=${first.json.nextCursor}`, {
      headers: scoped,
    })
    expect(ids(second.json)).toEqual([dk2.id, no2.id])
    expect(second.json.nextCursor).toBeUndefined()

    const everyone = await t.call('GET', '/v1/admin/review?limit=100', { role: 'editor' })
    expect(everyone.json.items).toHaveLength(6)
    // A cursor is bound to the countries it was issued for.
    const borrowed = await t.call('GET', `/v1/admin/review?cursor=${first.json.nextCursor}`, {
      role: 'editor',
    })
    expect(borrowed.status).toBe(400)
  })

  it('create and change only national or regional instruments of their countries: anything else is a 403 naming them, and writes nothing', async () => {
    const t = await createTestContext()
    const scoped = await bearer(t, { roles: ['editor'], countries: ['DK', 'NO'] })
    const versionBefore = await t.store.catalogueVersion()
    const refusedCreates = [
      instrumentBody({ origin: 'international', country: undefined }),
      instrumentBody({ country: 'SE' }),
    ]
    for (const body of refusedCreates) {
      const refused = await t.call('POST', '/v1/instruments', { headers: scoped, body })
      expect(refused.status).toBe(403)
      expect(refused.headers.get('content-type')).toBe('application/problem+json')
      expect(refused.json.detail).toContain('You may edit only national or regional instruments of DK, NO')
    }
    expect(await t.store.catalogueVersion()).toBe(versionBefore)

    const own = await t.call('POST', '/v1/instruments', {
      headers: scoped,
      body: instrumentBody({ country: 'NO' }),
    })
    expect(own.status).toBe(201)
    const moved = await t.call('PUT', `/v1/instruments/${own.json.id}`, {
      headers: { ...scoped, 'if-match': '"1"' },
      body: instrumentBody({ country: 'SE' }),
    })
    expect(moved.status).toBe(403)

    const swedish = await t.call('POST', '/v1/instruments', {
      role: 'editor',
      body: instrumentBody({ country: 'SE' }),
    })
    const takenOver = await t.call('PUT', `/v1/instruments/${swedish.json.id}`, {
      headers: { ...scoped, 'if-match': '"1"' },
      body: instrumentBody({ country: 'DK' }),
    })
    expect(takenOver.status).toBe(403)
    expect(takenOver.json.detail).toContain('this is a national instrument of SE')
    expect((await t.store.get(swedish.json.id))?.version).toBe(1)

    // Admins are never limited, whatever their token says.
    const admin = await bearer(t, { roles: ['admin'], countries: ['NO'] })
    const byAdmin = await t.call('PUT', `/v1/instruments/${swedish.json.id}`, {
      headers: { ...admin, 'if-match': '"1"' },
      body: instrumentBody({ country: 'SE', name: 'Changed by an admin' }),
    })
    expect(byAdmin.status).toBe(200)
  })

  it('a countries claim it cannot read makes the token invalid, never an unscoped editor', async () => {
    const t = await createTestContext()
    await seedAt(t, syncedContent({ origin: 'national', country: 'DK' }), '2026-11-01T08:00:00Z')
    const mistyped = await bearer(t, { roles: ['editor'], claims: { 'custom:countries': 'Denmark, XX' } })
    const refused = await t.call('POST', '/v1/instruments', { headers: mistyped, body: instrumentBody() })
    expect(refused.status).toBe(401)
    expect(refused.json.detail).toContain('custom:countries')
    expect((await t.call('GET', '/v1/admin/review', { headers: mistyped })).status).toBe(401)
  })
})
