import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, it, vi } from 'vitest'
import { addressHash } from '../../shared/subscriptions/email-address'
import { projectWatch, type SubscriptionContext, subscriptionContext } from './support'

const MONDAY = '2026-11-23T06:00:00Z'

/** Every item that names the subscription or sits under the address's hash (its rate counters aside). */
async function itemsOf(t: SubscriptionContext, subscriptionId: string, email: string) {
  const { Items } = await t.client.send(new ScanCommand({ TableName: t.tableName, ConsistentRead: true }))
  const hash = addressHash(email)
  return (Items ?? []).filter((item) => {
    const key = `${item.pk} ${item.sk}`
    // Rate counters outlive a subscription on purpose (their TTL ends them): they limit requests.
    if (String(item.sk).startsWith('RATE#')) return false
    return key.includes(subscriptionId) || key.includes(hash) || JSON.stringify(item).includes(email)
  })
}

describe("an organisation's control over its projects' watches", () => {
  it('lists the watches of a project, pending and confirmed, with masked addresses only', async () => {
    const t = await subscriptionContext()
    const { projectId, authorization } = await projectWatch(t, { email: 'lead@acme.example' })
    t.clock.set('2026-11-22T11:00:00Z')
    await projectWatch(t, { email: 'newcomer@acme.example', projectId, confirm: false })
    // Another project's watch and a saved search are not this project's.
    await projectWatch(t, { email: 'other@acme.example', projectName: 'Other project' })
    await t.subscribeConfirmed({ email: 'searcher@example.org', query: 'features=T13', frequency: 'weekly' })

    const listed = await t.call('GET', `/v1/projects/${projectId}/subscriptions`, {
      headers: { authorization },
    })
    expect(listed.status, listed.text).toBe(200)
    expect(listed.headers.get('cache-control')).toBe('private, no-store')
    expect(listed.json.items).toEqual([
      {
        id: expect.any(String),
        email: 'l***@acme.example',
        frequency: 'daily',
        state: 'confirmed',
        consentAt: expect.any(String),
        confirmedAt: expect.any(String),
      },
      {
        id: expect.any(String),
        email: 'n***@acme.example',
        frequency: 'daily',
        state: 'pending',
        consentAt: expect.any(String),
      },
    ])
    for (const address of ['lead@acme.example', 'newcomer@acme.example', 'other@acme', 'searcher']) {
      expect(listed.text).not.toContain(address)
    }
  })

  it('leaves the project listings alone: watch links are not projects', async () => {
    const t = await subscriptionContext()
    const { projectId, authorization } = await projectWatch(t, { email: 'lead@acme.example' })
    await projectWatch(t, { email: 'newcomer@acme.example', projectId, confirm: false })
    const second = await t.deps.projects.create(
      'ACME',
      { name: 'Second', features: ['T1'] },
      'tester',
      t.clock.now(),
    )

    const all = await t.call('GET', '/v1/projects', { headers: { authorization } })
    expect(all.json.items.map((item: { id: string }) => item.id)).toEqual([projectId, second.id])
    const first = await t.call('GET', '/v1/projects?limit=1', { headers: { authorization } })
    const next = await t.call('GET', `/v1/projects?limit=1&cursor=${first.json.nextCursor}`, {
      headers: { authorization },
    })
    expect(next.json.items.map((item: { id: string }) => item.id)).toEqual([second.id])
    // DynamoDB may hand out a cursor after a full page; what follows it is no project, and no link.
    if (next.json.nextCursor) {
      const last = await t.call('GET', `/v1/projects?limit=1&cursor=${next.json.nextCursor}`, {
        headers: { authorization },
      })
      expect(last.json.items).toEqual([])
    }
    expect((await t.deps.projects.listAll('ACME')).map((project) => project.id)).toEqual([
      projectId,
      second.id,
    ])
  })

  it('ends a watch: everything of the subscription goes, the recipient is told, no digest follows', async () => {
    const t = await subscriptionContext()
    const { projectId, authorization } = await projectWatch(t, { email: 'lead@acme.example' })
    const [watch] = (
      await t.call('GET', `/v1/projects/${projectId}/subscriptions`, { headers: { authorization } })
    ).json.items
    expect(await itemsOf(t, watch.id, 'lead@acme.example')).not.toEqual([])

    const sent = t.mail.messages.length
    const ended = await t.call('DELETE', `/v1/projects/${projectId}/subscriptions/${watch.id}`, {
      headers: { authorization },
    })
    expect(ended.status, ended.text).toBe(204)
    expect(await itemsOf(t, watch.id, 'lead@acme.example')).toEqual([])

    const [note] = (await t.mail.waitFor(sent + 1)).slice(sent)
    expect(note!.to).toEqual(['lead@acme.example'])
    expect(note!.subject).toBe('Your fundfinder project watch has been ended')
    for (const part of [note!.text, note!.html]) {
      expect(part).toContain('Harbour drones')
      expect(part).toContain('has ended your watch')
      expect(part).toContain('You do not need to unsubscribe')
    }
    expect(note!.header('list-unsubscribe')).toBeUndefined()

    const listed = await t.call('GET', `/v1/projects/${projectId}/subscriptions`, {
      headers: { authorization },
    })
    expect(listed.json.items).toEqual([])
    // Again: it is gone.
    const again = await t.call('DELETE', `/v1/projects/${projectId}/subscriptions/${watch.id}`, {
      headers: { authorization },
    })
    expect(again.status).toBe(404)
    expect(again.headers.get('content-type')).toBe('application/problem+json')

    t.clock.set('2026-11-22T12:00:00Z')
    await t.createInstrument({ name: 'Fresh drone call', features: ['T13'], country: 'DK' })
    expect(await t.runDigests(MONDAY)).toMatchObject({ due: 0, sent: 0 })
    expect(t.mail.messages).toHaveLength(sent + 1)
  })

  it('ends a pending watch without mailing the unconfirmed address', async () => {
    const t = await subscriptionContext()
    const { projectId, authorization } = await projectWatch(t, { email: 'lead@acme.example', confirm: false })
    const [watch] = await t.deps.subscriptions.projectWatches('ACME', projectId)
    expect(watch).toMatchObject({ state: 'pending', email: 'l***@acme.example' })

    const sent = t.mail.messages.length
    const ended = await t.call('DELETE', `/v1/projects/${projectId}/subscriptions/${watch!.id}`, {
      headers: { authorization },
    })
    expect(ended.status).toBe(204)
    expect(await itemsOf(t, watch!.id, 'lead@acme.example')).toEqual([])
    // Its confirmation link no longer confirms anything.
    const token = /token=([\w.-]+)/.exec(t.mail.messages[sent - 1]!.text)![1]!
    expect((await t.call('POST', '/v1/subscriptions/confirm', { body: { token } })).status).toBe(404)
    expect(t.mail.messages).toHaveLength(sent)
  })

  it('refuses another organisation, another project and anything but a watch: 404, and nothing changes', async () => {
    const t = await subscriptionContext()
    const { projectId, authorization } = await projectWatch(t, { email: 'lead@acme.example' })
    const [watch] = await t.deps.subscriptions.projectWatches('ACME', projectId)
    const globex = `Bearer ${await t.token({ roles: ['admin'], org: 'GLOBEX' })}`

    const foreignList = await t.call('GET', `/v1/projects/${projectId}/subscriptions`, {
      headers: { authorization: globex },
    })
    expect(foreignList.status).toBe(404)
    expect(foreignList.text).not.toContain('l***')
    const foreignEnd = await t.call('DELETE', `/v1/projects/${projectId}/subscriptions/${watch!.id}`, {
      headers: { authorization: globex },
    })
    expect(foreignEnd.status).toBe(404)

    // GLOBEX's own project with the same path shape: still not ACME's watch.
    const { projectId: globexProject } = await projectWatch(t, { org: 'GLOBEX', email: 'spy@globex.example' })
    const crossed = await t.call('DELETE', `/v1/projects/${globexProject}/subscriptions/${watch!.id}`, {
      headers: { authorization: globex },
    })
    expect(crossed.status).toBe(404)

    // Another ACME project, a saved search's id, an unknown id.
    const other = await t.deps.projects.create(
      'ACME',
      { name: 'Other', features: ['T1'] },
      'tester',
      t.clock.now(),
    )
    await t.subscribeConfirmed({ email: 'searcher@example.org', query: 'features=T13', frequency: 'weekly' })
    const { Items } = await t.client.send(new ScanCommand({ TableName: t.tableName, ConsistentRead: true }))
    const search = Items!.find((item) => item.sk === 'SUBSCRIPTION' && item.subject.kind === 'search')!
    for (const path of [
      `/v1/projects/${other.id}/subscriptions/${watch!.id}`,
      `/v1/projects/${projectId}/subscriptions/${search.id}`,
      `/v1/projects/${projectId}/subscriptions/u5QdXb2Yk0Zr8w1V3n7sTg`,
    ]) {
      const response = await t.call('DELETE', path, { headers: { authorization } })
      expect(response.status, path).toBe(404)
    }
    expect(await t.deps.subscriptionStore.get(search.id)).toBeDefined()
    expect(await t.deps.subscriptions.projectWatches('ACME', projectId)).toHaveLength(1)
    expect(t.mail.to('lead@acme.example')).toHaveLength(1)
  })

  it('keeps the watch ended when the note cannot be sent, and logs the failure without the address', async () => {
    let refusing = false
    const t = await subscriptionContext({ mail: { refuse: () => refusing } })
    const { projectId, authorization } = await projectWatch(t, { email: 'lead@acme.example' })
    const [watch] = await t.deps.subscriptions.projectWatches('ACME', projectId)
    const warn = vi.spyOn(t.deps.logger, 'warn')
    try {
      refusing = true
      const ended = await t.call('DELETE', `/v1/projects/${projectId}/subscriptions/${watch!.id}`, {
        headers: { authorization },
      })
      expect(ended.status, ended.text).toBe(204)
      expect(await itemsOf(t, watch!.id, 'lead@acme.example')).toEqual([])
      expect(warn).toHaveBeenCalledWith('note of an ended project watch not sent', expect.any(Object))
      expect(JSON.stringify(warn.mock.calls)).not.toContain('lead@acme.example')
      expect(JSON.stringify(warn.mock.calls)).toContain('l***@acme.example')
    } finally {
      warn.mockRestore()
    }
  })
})
