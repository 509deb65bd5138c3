import { GetCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, it } from 'vitest'
import { expireInstruments } from '../../shared/catalogue/expiry/expire-instruments'
import { silentLogger } from '../../shared/platform/logger'
import { keys } from '../../shared/platform/table'
import { createTestContext, type TestContext } from '../support/context'
import { instrumentInput } from '../support/factories'

/** An instrument created earlier (by the store, so a deadline now past is allowed). */
const seed = (t: TestContext, overrides: Parameters<typeof instrumentInput>[0] = {}) =>
  t.store.create(instrumentInput(overrides), 'editor', new Date('2026-01-10T08:00:00Z'))

const expire = (t: TestContext) => expireInstruments({ store: t.store, clock: t.clock, logger: silentLogger })

describe('GET /v1/admin/archive', () => {
  it('lists expired and deleted instruments newest first, filters by reason and pages with a cursor', async () => {
    const t = await createTestContext({ now: '2026-11-22T10:00:00.000Z' })
    const first = await seed(t, { name: 'First to close', deadline: '2026-11-01' })
    const second = await seed(t, { name: 'Second to close', deadline: '2026-11-02' })
    t.clock.set('2026-11-22T10:00:00.000Z')
    await expire(t)
    t.clock.set('2026-11-22T11:00:00.000Z')
    const third = await seed(t, { name: 'Closes later', deadline: '2026-11-21' })
    await expire(t)
    t.clock.set('2026-11-22T12:00:00.000Z')
    const deleted = await seed(t, { name: 'Withdrawn', deadline: '2027-05-01' })
    const removal = await t.call('DELETE', `/v1/instruments/${deleted.id}`, {
      role: 'admin',
      headers: { 'if-match': '"1"' },
    })
    expect(removal.status).toBe(204)

    const all = await t.call('GET', '/v1/admin/archive', { role: 'admin' })
    expect(all.status).toBe(200)
    expect(all.json.nextCursor).toBeUndefined()
    expect(all.json.items.slice(0, 2).map((item: any) => [item.instrument.name, item.reason])).toEqual([
      ['Withdrawn', 'deleted'],
      ['Closes later', 'expired'],
    ])
    // The last two were archived in the same instant: their order among themselves is the index's.
    expect(
      all.json.items
        .slice(2)
        .map((item: any) => item.instrument.id)
        .sort(),
    ).toEqual([first.id, second.id].sort())
    expect(all.json.items[0]).toMatchObject({
      archivedAt: '2026-11-22T12:00:00.000Z',
      archivedBy: 'tester',
      purgeAfter: '2027-11-22T12:00:00.000Z',
      instrument: { id: deleted.id, version: 1, status: 'open', deadline: '2027-05-01' },
    })
    expect(all.json.items[1]).toMatchObject({
      archivedBy: 'system:expiry',
      instrument: { id: third.id, status: 'expired' },
    })

    const expiredOnly = await t.call('GET', '/v1/admin/archive?reason=expired', { role: 'admin' })
    expect(expiredOnly.json.items.map((item: any) => item.reason)).toEqual(['expired', 'expired', 'expired'])
    const deletedOnly = await t.call('GET', '/v1/admin/archive?reason=deleted', { role: 'admin' })
    expect(deletedOnly.json.items.map((item: any) => item.instrument.id)).toEqual([deleted.id])

    const seen: string[] = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await t.call(
        'GET',
        `/v1/admin/archive?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { role: 'admin' },
      )
      expect(page.status).toBe(200)
      expect(page.json.items.length).toBeLessThanOrEqual(1)
      seen.push(...page.json.items.map((item: any) => item.instrument.id))
      cursor = page.json.nextCursor
      pages += 1
    } while (cursor && pages < 10)
    expect(seen).toEqual(all.json.items.map((item: any) => item.instrument.id))

    const filteredPage = await t.call('GET', '/v1/admin/archive?reason=expired&limit=2', { role: 'admin' })
    expect(filteredPage.json.items).toHaveLength(2)
    const rest = await t.call(
      'GET',
      `/v1/admin/archive?reason=expired&limit=2&cursor=${encodeURIComponent(filteredPage.json.nextCursor)}`,
      { role: 'admin' },
    )
    expect(rest.json.items).toHaveLength(1)
    expect(rest.json.items[0].reason).toBe('expired')
  })

  it('is for admins only and validates its parameters', async () => {
    const t = await createTestContext()
    expect((await t.call('GET', '/v1/admin/archive')).status).toBe(401)
    expect((await t.call('GET', '/v1/admin/archive', { role: 'editor' })).status).toBe(403)
    for (const query of ['reason=stale', 'limit=0', 'limit=101', 'cursor=not-a-cursor', 'colour=red']) {
      const response = await t.call('GET', `/v1/admin/archive?${query}`, { role: 'admin' })
      expect(response.status, query).toBe(400)
      expect(response.headers.get('content-type')).toBe('application/problem+json')
    }
    // A cursor from another listing cannot be used to page through this one.
    await seed(t, { deadline: '2027-01-01' })
    await seed(t, { deadline: '2027-01-02' })
    const audit = await t.call('GET', '/v1/admin/audit?limit=1', { role: 'admin' })
    const foreign = await t.call(
      'GET',
      `/v1/admin/archive?cursor=${encodeURIComponent(audit.json.nextCursor)}`,
      { role: 'admin' },
    )
    expect(foreign.status).toBe(400)
  })
})

describe('archiving keeps everything, with a TTL', () => {
  it('stores the full record, the reason and a ttl of archive time + the configured retention', async () => {
    const t = await createTestContext({
      now: '2026-11-22T10:00:00.000Z',
      env: { ARCHIVE_RETENTION_DAYS: '30' },
    })
    const record = await seed(t, {
      deadline: '2026-11-21',
      budget: { min: 1000, max: 50000, currency: 'EUR' },
      applicationDomains: ['energy'],
      externalId: 'src:call-1',
    })
    await expire(t)
    const { Item } = await t.client.send(
      new GetCommand({ TableName: t.tableName, Key: keys.archived(record.id), ConsistentRead: true }),
    )
    expect(Item).toMatchObject({
      instrument: record,
      reason: 'expired',
      archivedAt: '2026-11-22T10:00:00.000Z',
      purgeAfter: '2026-12-22T10:00:00.000Z',
      ttl: Date.parse('2026-12-22T10:00:00.000Z') / 1000,
    })
    // The externalId is released with the live item: a re-import of next year's call may claim it.
    expect(await t.store.findIdByExternalId('src:call-1')).toBeUndefined()
  })
})

describe('POST /v1/admin/archive/{id}/restore', () => {
  it('brings an expired recurring call back with a new deadline, audited, and refuses a past one', async () => {
    const t = await createTestContext({ now: '2026-11-22T10:00:00.000Z' })
    const record = await seed(t, {
      deadline: '2026-11-21',
      periodicity: 'recurring',
      externalId: 'src:yearly',
    })
    await expire(t)
    const path = `/v1/admin/archive/${record.id}/restore`

    const keepsPastDeadline = await t.call('POST', path, { role: 'admin' })
    expect(keepsPastDeadline.status).toBe(422)
    expect(keepsPastDeadline.json.errors).toEqual([{ path: 'deadline', message: expect.any(String) }])
    const pastDeadline = await t.call('POST', path, { role: 'admin', body: { deadline: '2026-11-21' } })
    expect(pastDeadline.status).toBe(422)
    // Still archived after the refusals: nothing was half-written.
    expect(await t.store.getArchived(record.id)).toBeDefined()
    expect(await t.store.get(record.id)).toBeUndefined()

    const restored = await t.call('POST', path, { role: 'admin', body: { deadline: '2027-11-21' } })
    expect(restored.status).toBe(200)
    expect(restored.headers.get('etag')).toBe('"2"')
    expect(restored.json).toMatchObject({
      id: record.id,
      name: record.name,
      deadline: '2027-11-21',
      version: 2,
      status: 'open',
      createdAt: record.createdAt,
      updatedBy: 'tester',
      externalId: 'src:yearly',
    })
    expect((await t.call('GET', `/v1/instruments/${record.id}`)).status).toBe(200)
    expect(await t.store.getArchived(record.id)).toBeUndefined()
    expect(await t.store.findIdByExternalId('src:yearly')).toBe(record.id)
    const audit = await t.call('GET', `/v1/admin/audit?instrumentId=${record.id}`, { role: 'admin' })
    expect(audit.json.items.map((event: any) => [event.action, event.instrumentVersion])).toEqual([
      ['restored', 2],
      ['expired', 1],
      ['created', 1],
    ])

    const again = await t.call('POST', path, { role: 'admin', body: { deadline: '2027-11-21' } })
    expect(again.status).toBe(409)
    expect(again.json.type).toBe('https://fundfinder.dev/problems/conflict')
  })

  it('restores a deleted instrument as it was, or open-ended with deadline null', async () => {
    const t = await createTestContext({ now: '2026-11-22T10:00:00.000Z' })
    const kept = await seed(t, { deadline: '2027-02-01' })
    const openEnded = await seed(t, { deadline: '2027-02-01' })
    for (const record of [kept, openEnded]) {
      const removal = await t.call('DELETE', `/v1/instruments/${record.id}`, {
        role: 'admin',
        headers: { 'if-match': '"1"' },
      })
      expect(removal.status).toBe(204)
    }
    const asItWas = await t.call('POST', `/v1/admin/archive/${kept.id}/restore`, { role: 'admin' })
    expect(asItWas.status).toBe(200)
    expect(asItWas.json.deadline).toBe('2027-02-01')
    const withoutDeadline = await t.call('POST', `/v1/admin/archive/${openEnded.id}/restore`, {
      role: 'admin',
      body: { deadline: null },
    })
    expect(withoutDeadline.status).toBe(200)
    expect(withoutDeadline.json.deadline).toBeUndefined()
    expect((await t.store.get(openEnded.id))?.deadline).toBeUndefined()
    // Open-ended: nothing for the expiry job to find in the index.
    t.clock.set('2030-01-01T00:00:00Z')
    expect((await expire(t)).archived).toBe(1)
    expect(await t.store.get(openEnded.id)).toBeDefined()
  })

  it('answers 404, 409, 400, 415, 401 and 403 as the contract says', async () => {
    const t = await createTestContext()
    const live = await seed(t, { deadline: '2027-02-01' })
    expect((await t.call('POST', '/v1/admin/archive/unknown-id/restore', { role: 'admin' })).status).toBe(404)
    const alreadyLive = await t.call('POST', `/v1/admin/archive/${live.id}/restore`, { role: 'admin' })
    expect(alreadyLive.status).toBe(409)
    const path = `/v1/admin/archive/${live.id}/restore`
    const unknownField = await t.call('POST', path, {
      role: 'admin',
      body: { deadline: '2027-03-01', name: 'x' },
    })
    expect(unknownField.status).toBe(400)
    const badDeadline = await t.call('POST', path, { role: 'admin', body: { deadline: '31/03/2027' } })
    expect(badDeadline.status).toBe(400)
    expect(badDeadline.json.errors[0].path).toBe('deadline')
    const malformed = await t.call('POST', path, { role: 'admin', body: '{"deadline":' })
    expect(malformed.status).toBe(400)
    const notJson = await t.call('POST', path, {
      role: 'admin',
      body: 'deadline=2027-03-01',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(notJson.status).toBe(415)
    expect((await t.call('POST', path)).status).toBe(401)
    expect((await t.call('POST', path, { role: 'editor' })).status).toBe(403)
    expect(await t.store.get(live.id)).toEqual(live)
  })
})
