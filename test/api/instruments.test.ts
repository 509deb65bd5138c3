import { describe, expect, it } from 'vitest'
import { createTestContext } from '../support/context'
import { instrumentBody } from '../support/factories'

describe('instrument CRUD', () => {
  it('creates, reads, replaces and deletes with ETags and audit events', async () => {
    const t = await createTestContext()
    const created = await t.call('POST', '/v1/instruments', {
      role: 'editor',
      body: instrumentBody({ name: 'Alpha' }),
    })
    expect(created.status).toBe(201)
    expect(created.headers.get('etag')).toBe('"1"')
    expect(created.headers.get('location')).toBe(`/v1/instruments/${created.json.id}`)
    expect(created.json).toMatchObject({ name: 'Alpha', version: 1, status: 'open', createdBy: 'tester' })

    const id = created.json.id as string
    const read = await t.call('GET', `/v1/instruments/${id}`)
    expect(read.status).toBe(200)
    expect(read.headers.get('etag')).toBe('"1"')
    expect(read.json).toEqual(created.json)

    const notModified = await t.call('GET', `/v1/instruments/${id}`, { headers: { 'if-none-match': '"1"' } })
    expect(notModified.status).toBe(304)

    const replaced = await t.call('PUT', `/v1/instruments/${id}`, {
      role: 'editor',
      headers: { 'if-match': '"1"' },
      body: instrumentBody({ name: 'Alpha 2' }),
    })
    expect(replaced.status).toBe(200)
    expect(replaced.headers.get('etag')).toBe('"2"')
    expect(replaced.json).toMatchObject({ name: 'Alpha 2', version: 2, createdAt: created.json.createdAt })

    const deleted = await t.call('DELETE', `/v1/instruments/${id}`, {
      role: 'admin',
      headers: { 'if-match': '"2"' },
    })
    expect(deleted.status).toBe(204)
    const gone = await t.call('GET', `/v1/instruments/${id}`)
    expect(gone.status).toBe(410)

    const audit = await t.call('GET', `/v1/admin/audit?instrumentId=${id}`, { role: 'admin' })
    expect(audit.status).toBe(200)
    expect(
      audit.json.items.map((event: { action: string; instrumentVersion: number }) => [
        event.action,
        event.instrumentVersion,
      ]),
    ).toEqual([
      ['deleted', 2],
      ['updated', 2],
      ['created', 1],
    ])
  })

  it('answers 404 for unknown ids and 410 once the deadline has passed', async () => {
    const t = await createTestContext({ now: '2027-03-31T21:59:59.999Z' })
    expect((await t.call('GET', '/v1/instruments/nope')).status).toBe(404)
    const created = await t.call('POST', '/v1/instruments', {
      role: 'editor',
      body: instrumentBody({ deadline: '2027-03-31' }),
    })
    expect(created.status).toBe(201)
    // 23:59:59.999 in Brussels (CEST): still open.
    expect((await t.call('GET', `/v1/instruments/${created.json.id}`)).status).toBe(200)
    t.clock.advance(1)
    const closed = await t.call('GET', `/v1/instruments/${created.json.id}`)
    expect(closed.status).toBe(410)
    expect(closed.headers.get('content-type')).toBe('application/problem+json')
  })

  it('requires If-Match and rejects stale versions', async () => {
    const t = await createTestContext()
    const created = await t.call('POST', '/v1/instruments', { role: 'editor', body: instrumentBody() })
    const path = `/v1/instruments/${created.json.id}`
    const missing = await t.call('PUT', path, { role: 'editor', body: instrumentBody() })
    expect(missing.status).toBe(428)
    const garbage = await t.call('PUT', path, {
      role: 'editor',
      headers: { 'if-match': 'abc' },
      body: instrumentBody(),
    })
    expect(garbage.status).toBe(400)
    expect(garbage.json.errors).toEqual([{ path: 'If-Match', message: expect.any(String) }])
    const stale = await t.call('PUT', path, {
      role: 'editor',
      headers: { 'if-match': '"7"' },
      body: instrumentBody(),
    })
    expect(stale.status).toBe(412)
    const deleteWithout = await t.call('DELETE', path, { role: 'admin' })
    expect(deleteWithout.status).toBe(428)
  })

  it('lets exactly one of 50 concurrent updates with the same If-Match win, and keeps the winner', async () => {
    const t = await createTestContext()
    const created = await t.call('POST', '/v1/instruments', { role: 'editor', body: instrumentBody() })
    const path = `/v1/instruments/${created.json.id}`
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        t.call('PUT', path, {
          role: 'editor',
          headers: { 'if-match': '"1"' },
          body: instrumentBody({ name: `Writer ${index}` }),
        }),
      ),
    )
    const winners = results.filter((result) => result.status === 200)
    expect(winners).toHaveLength(1)
    expect(results.filter((result) => result.status === 412)).toHaveLength(49)
    const final = await t.call('GET', path)
    expect(final.json.name).toBe(winners[0]?.json.name)
    expect(final.json.version).toBe(2)
    // The losers left no trace: one create and one update in the audit log.
    const audit = await t.store.listAudit({ instrumentId: created.json.id, limit: 100 })
    expect(audit.items.map((event) => event.action)).toEqual(['updated', 'created'])
  })
})
