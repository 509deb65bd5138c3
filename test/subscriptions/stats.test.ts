import { describe, expect, it } from 'vitest'
import { subscriptionContext, unsubscribeToken } from './support'

describe('GET /v1/admin/subscriptions/stats', () => {
  it('gives admins counts only, never an address', async () => {
    const t = await subscriptionContext()
    await t.subscribeConfirmed({ email: 'ada@example.org', query: 'features=T13', frequency: 'daily' })
    await t.subscribeConfirmed({ email: 'grace@example.org', query: 'features=T13', frequency: 'weekly' })
    await t.subscribeConfirmed({ email: 'linus@example.org', query: 'features=P3', frequency: 'daily' })
    await t.subscribe({ email: 'pending@example.org', query: 'features=T1', frequency: 'daily' })
    const project = await t.deps.projects.create(
      'ACME',
      { name: 'Sensors', features: ['T1'] },
      'tester',
      t.clock.now(),
    )
    const authorization = `Bearer ${await t.token({ roles: ['editor'], org: 'ACME' })}`
    await t.call('POST', `/v1/projects/${project.id}/subscriptions`, {
      body: { email: 'lead@acme.example', frequency: 'weekly' },
      headers: { authorization },
    })
    t.clock.set('2026-11-22T12:00:00Z')
    await t.createInstrument({ features: ['T13'] })
    await t.runDigests('2026-11-23T06:00:00Z')
    const ada = t.mail.to('ada@example.org').at(-1)!
    await t.call('POST', '/v1/subscriptions/unsubscribe', { body: { token: unsubscribeToken(ada) } })

    expect((await t.call('GET', '/v1/admin/subscriptions/stats')).status).toBe(401)
    expect((await t.call('GET', '/v1/admin/subscriptions/stats', { role: 'editor' })).status).toBe(403)
    const stats = await t.call('GET', '/v1/admin/subscriptions/stats', { role: 'admin' })
    expect(stats.status).toBe(200)
    expect(stats.headers.get('cache-control')).toBe('no-store')
    expect(stats.json.confirmed).toEqual({ total: 2, daily: 1, weekly: 1, searches: 2, projects: 0 })
    expect(stats.json.last7Days).toEqual({
      requested: 5,
      confirmed: 3,
      unsubscribed: 1,
      suppressed: 0,
      digestsSent: 2,
      endedNotes: 0,
    })
    expect(stats.json.days.map((day: { day: string }) => day.day)).toEqual(['2026-11-22', '2026-11-23'])
    expect(stats.text).not.toMatch(/@/)
  })
})
