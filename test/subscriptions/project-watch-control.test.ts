import { DeleteCommand, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { createDocumentClient } from '../../shared/platform/dynamodb'
import { subscriptionKeys } from '../../shared/platform/table'
import { addressHash } from '../../shared/subscriptions/email-address'
import { DynamoSubscriptionStore } from '../../shared/subscriptions/store/subscription-store'
import { subscriptionId } from '../../shared/subscriptions/subscription'
import { projectWatch, type SubscriptionContext, subscriptionContext } from './support'

const MONDAY = '2026-11-23T06:00:00Z'

/** The id of the one subscription of an address, found by its hash (never by what a list shows). */
async function subscriptionOf(t: SubscriptionContext, email: string): Promise<string> {
  const ids = await t.deps.subscriptionStore.idsByAddress(addressHash(email))
  expect(ids).toHaveLength(1)
  return ids[0]!
}

/** The link item of a project watch in the organisation's partition. */
async function linkOf(t: SubscriptionContext, org: string, projectId: string, id: string) {
  const { Item } = await t.client.send(
    new GetCommand({
      TableName: t.tableName,
      Key: subscriptionKeys.projectWatch(org, projectId, id),
      ConsistentRead: true,
    }),
  )
  return Item
}

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
  it('lists the confirmed watches of a project, with masked addresses and ids of their own only', async () => {
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
    // The pending request of newcomer@ is not a watch yet: no digest goes out for it.
    expect(listed.json.items).toEqual([
      {
        id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        email: 'l***@acme.example',
        frequency: 'daily',
        consentAt: expect.any(String),
        confirmedAt: expect.any(String),
      },
    ])
    for (const address of ['lead@acme.example', 'newcomer@acme.example', 'n***', 'other@acme', 'searcher']) {
      expect(listed.text).not.toContain(address)
    }
    // The listed id is not the subscription id (derived from the address, it would let a guessed
    // address be checked offline), and the subscription id appears nowhere in the answer.
    const lead = await subscriptionOf(t, 'lead@acme.example')
    const project = await t.deps.projects.get('ACME', projectId)
    expect(
      subscriptionId(addressHash('lead@acme.example'), {
        kind: 'project',
        org: 'ACME',
        projectId,
        projectName: project!.name,
        filters: {},
      }),
    ).toBe(lead)
    expect(listed.json.items[0].id).not.toBe(lead)
    expect(listed.text).not.toContain(lead)
    expect(listed.text).not.toContain(await subscriptionOf(t, 'newcomer@acme.example'))
  })

  it('shows nothing to an editor who requests a watch for a guessed address', async () => {
    const t = await subscriptionContext()
    const { projectId, authorization } = await projectWatch(t, { email: 'lead@acme.example' })
    const list = async () =>
      (await t.call('GET', `/v1/projects/${projectId}/subscriptions`, { headers: { authorization } })).text
    const before = await list()
    expect(JSON.parse(before).items).toHaveLength(1)

    // A right guess (the address already watches) and a wrong one (a new pending request): the list
    // is the same after either, so it cannot tell them apart.
    for (const guess of ['lead@acme.example', 'nobody@acme.example']) {
      const sent = t.mail.messages.length
      const asked = await t.call('POST', `/v1/projects/${projectId}/subscriptions`, {
        body: { email: guess, frequency: 'daily' },
        headers: { authorization },
      })
      expect(asked.status, asked.text).toBe(202)
      await t.mail.waitFor(sent + 1)
      expect(await list(), guess).toBe(before)
    }
  })

  it('keeps the watch id from the request through the confirmation', async () => {
    const t = await subscriptionContext()
    const { projectId } = await projectWatch(t, { email: 'lead@acme.example', confirm: false })
    const id = await subscriptionOf(t, 'lead@acme.example')
    const pending = await linkOf(t, 'ACME', projectId, id)
    expect(pending).toMatchObject({ subscriptionId: id, watchId: expect.stringMatching(/^[\w-]{22}$/) })
    expect(pending!.ttl).toEqual(expect.any(Number))
    expect(await t.deps.subscriptions.projectWatches('ACME', projectId)).toEqual([])

    const token = /token=([\w.-]+)/.exec(t.mail.to('lead@acme.example')[0]!.text)![1]!
    expect((await t.call('POST', '/v1/subscriptions/confirm', { body: { token } })).status).toBe(200)
    const confirmed = await linkOf(t, 'ACME', projectId, id)
    expect(confirmed).toEqual({
      pk: pending!.pk,
      sk: pending!.sk,
      subscriptionId: id,
      watchId: pending!.watchId,
    })
    const [watch] = await t.deps.subscriptions.projectWatches('ACME', projectId)
    expect(watch!.id).toBe(pending!.watchId)
  })

  it('gives a complete link to a request saved before links, and an id to a link saved before ids', async () => {
    const t = await subscriptionContext()
    const { projectId, authorization } = await projectWatch(t, { email: 'lead@acme.example', confirm: false })
    const id = await subscriptionOf(t, 'lead@acme.example')
    const key = subscriptionKeys.projectWatch('ACME', projectId, id)
    // A request saved before links existed has none: the confirmation writes it.
    await t.client.send(new DeleteCommand({ TableName: t.tableName, Key: key }))
    const token = /token=([\w.-]+)/.exec(t.mail.to('lead@acme.example')[0]!.text)![1]!
    expect((await t.call('POST', '/v1/subscriptions/confirm', { body: { token } })).status).toBe(200)
    expect(await linkOf(t, 'ACME', projectId, id)).toEqual({
      ...key,
      subscriptionId: id,
      watchId: expect.stringMatching(/^[\w-]{22}$/),
    })

    // A watch confirmed before watch ids existed: its link gets one on its first listing, kept since.
    await t.client.send(
      new UpdateCommand({ TableName: t.tableName, Key: key, UpdateExpression: 'REMOVE watchId' }),
    )
    const [first] = await t.deps.subscriptions.projectWatches('ACME', projectId)
    expect(first!.id).toMatch(/^[\w-]{22}$/)
    expect(first!.id).not.toBe(id)
    const [again] = await t.deps.subscriptions.projectWatches('ACME', projectId)
    expect(again!.id).toBe(first!.id)
    const ended = await t.call('DELETE', `/v1/projects/${projectId}/subscriptions/${first!.id}`, {
      headers: { authorization },
    })
    expect(ended.status, ended.text).toBe(204)
    expect(await linkOf(t, 'ACME', projectId, id)).toBeUndefined()
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
    const id = await subscriptionOf(t, 'lead@acme.example')
    expect(await itemsOf(t, id, 'lead@acme.example')).not.toEqual([])

    const sent = t.mail.messages.length
    const ended = await t.call('DELETE', `/v1/projects/${projectId}/subscriptions/${watch.id}`, {
      headers: { authorization },
    })
    expect(ended.status, ended.text).toBe(204)
    expect(await itemsOf(t, id, 'lead@acme.example')).toEqual([])

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

  it("neither lists nor ends a pending request, by its subscription id or its link's watch id", async () => {
    const t = await subscriptionContext()
    const { projectId, authorization } = await projectWatch(t, { email: 'lead@acme.example', confirm: false })
    expect(await t.deps.subscriptions.projectWatches('ACME', projectId)).toEqual([])
    const id = await subscriptionOf(t, 'lead@acme.example')
    const link = await linkOf(t, 'ACME', projectId, id)

    for (const watchId of [link!.watchId as string, id]) {
      const ended = await t.call('DELETE', `/v1/projects/${projectId}/subscriptions/${watchId}`, {
        headers: { authorization },
      })
      expect(ended.status, watchId).toBe(404)
    }
    // The request is untouched: its confirmation link still confirms it, and then it is listed.
    const sent = t.mail.messages.length
    const token = /token=([\w.-]+)/.exec(t.mail.messages[sent - 1]!.text)![1]!
    expect((await t.call('POST', '/v1/subscriptions/confirm', { body: { token } })).status).toBe(200)
    expect(await t.deps.subscriptions.projectWatches('ACME', projectId)).toMatchObject([
      { id: link!.watchId, email: 'l***@acme.example' },
    ])
  })

  it('logs who ended a watch, and which, never the address', async () => {
    const t = await subscriptionContext()
    const { projectId } = await projectWatch(t, { email: 'lead@acme.example' })
    const [watch] = await t.deps.subscriptions.projectWatches('ACME', projectId)
    const id = await subscriptionOf(t, 'lead@acme.example')
    const ana = `Bearer ${await t.token({ roles: ['editor'], org: 'ACME', subject: 'ana.editor' })}`
    const info = vi.spyOn(t.deps.logger, 'info')
    try {
      const ended = await t.call('DELETE', `/v1/projects/${projectId}/subscriptions/${watch!.id}`, {
        headers: { authorization: ana },
      })
      expect(ended.status, ended.text).toBe(204)
      expect(info).toHaveBeenCalledWith('project watch ended by its organisation', {
        org: 'ACME',
        projectId,
        watchId: watch!.id,
        subscription: id,
        endedBy: 'ana.editor',
      })
      expect(JSON.stringify(info.mock.calls)).not.toContain('lead@')
    } finally {
      info.mockRestore()
    }
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
      `/v1/projects/${projectId}/subscriptions/${await subscriptionOf(t, 'lead@acme.example')}`,
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
    const id = await subscriptionOf(t, 'lead@acme.example')
    const warn = vi.spyOn(t.deps.logger, 'warn')
    try {
      refusing = true
      const ended = await t.call('DELETE', `/v1/projects/${projectId}/subscriptions/${watch!.id}`, {
        headers: { authorization },
      })
      expect(ended.status, ended.text).toBe(204)
      expect(await itemsOf(t, id, 'lead@acme.example')).toEqual([])
      expect(warn).toHaveBeenCalledWith('note of an ended project watch not sent', expect.any(Object))
      expect(JSON.stringify(warn.mock.calls)).not.toContain('lead@acme.example')
      expect(JSON.stringify(warn.mock.calls)).toContain('l***@acme.example')
    } finally {
      warn.mockRestore()
    }
  })

  it('gives a watch confirmed before links existed its link with its next digest, so that it is listed', async () => {
    const t = await subscriptionContext()
    const { projectId, authorization } = await projectWatch(t, { email: 'lead@acme.example' })
    const id = await subscriptionOf(t, 'lead@acme.example')
    // As a watch confirmed before this change is stored: no link in the organisation's partition.
    await t.client.send(
      new DeleteCommand({
        TableName: t.tableName,
        Key: subscriptionKeys.projectWatch('ACME', projectId, id),
      }),
    )
    const list = () =>
      t.call('GET', `/v1/projects/${projectId}/subscriptions`, { headers: { authorization } })
    expect((await list()).json.items).toEqual([])

    expect(await t.runDigests(MONDAY)).toMatchObject({ due: 1, failed: 0 })
    expect(await linkOf(t, 'ACME', projectId, id)).toMatchObject({ subscriptionId: id })
    const [listed] = (await list()).json.items
    expect(listed).toMatchObject({ email: 'l***@acme.example' })
    // A second run keeps the watch id the organisation already knows.
    expect(await t.runDigests('2026-11-24T06:00:00Z')).toMatchObject({ due: 1, failed: 0 })
    expect((await list()).json.items[0].id).toBe(listed.id)
  })

  it('makes a digest read, not write, a link that is there, and leave none behind for a watch that ended', async () => {
    const t = await subscriptionContext()
    const { projectId } = await projectWatch(t, { email: 'lead@acme.example' })
    const id = await subscriptionOf(t, 'lead@acme.example')
    const record = (await t.deps.subscriptionStore.get(id))!
    const link = await linkOf(t, 'ACME', projectId, id)
    expect(link).toMatchObject({ subscriptionId: id, watchId: expect.any(String) })

    // A store on a client that records what it sends: the digest's call for a watch with its link.
    const client = createDocumentClient({ region: t.config.region, endpoint: t.config.dynamodbEndpoint })
    const sent: string[] = []
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName))
        return next(args)
      },
      { step: 'initialize', name: 'recordCommands' },
    )
    onTestFinished(() => client.destroy())
    const store = new DynamoSubscriptionStore(client, t.tableName)
    await store.ensureProjectWatchLink(record)
    expect(sent).toEqual(['GetItemCommand'])
    expect(await linkOf(t, 'ACME', projectId, id)).toEqual(link)

    // The watch ends (an unsubscribe) while a digest run still holds its record: no link comes back.
    expect(await t.deps.subscriptionStore.delete(id)).toBe(true)
    expect(await linkOf(t, 'ACME', projectId, id)).toBeUndefined()
    await store.ensureProjectWatchLink(record)
    expect(await linkOf(t, 'ACME', projectId, id)).toBeUndefined()
    expect(await itemsOf(t, id, 'lead@acme.example')).toEqual([])
  })

  it('sends the digest of a watch whose link cannot be repaired now, and says so in the log', async () => {
    const t = await subscriptionContext()
    await projectWatch(t, { email: 'lead@acme.example' })
    const id = await subscriptionOf(t, 'lead@acme.example')
    await t.createInstrument({ name: 'Drones for harbour inspection', features: ['T13'], country: 'DK' })
    vi.spyOn(t.deps.subscriptionStore, 'ensureProjectWatchLink').mockRejectedValue(
      new Error(
        'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]',
      ),
    )
    const warn = vi.spyOn(t.deps.logger, 'warn')
    const sent = t.mail.messages.length

    expect(await t.runDigests(MONDAY)).toMatchObject({ due: 1, sent: 1, failed: 0 })
    const [digest] = (await t.mail.waitFor(sent + 1)).slice(sent)
    expect(digest?.to).toEqual(['lead@acme.example'])
    expect(digest?.text).toContain('Drones for harbour inspection')
    expect(warn).toHaveBeenCalledWith('project watch link not repaired', {
      subscription: id,
      detail: expect.stringContaining('TransactionConflict'),
    })
  })
})
