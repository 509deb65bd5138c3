import { describe, expect, it } from 'vitest'
import { createTestContext } from '../support/context'
import { projectBody } from '../support/factories'
import { portfolioCaller } from './support'

describe('projects: create, read, list, update, delete', () => {
  it('keeps a project with optimistic locking', async () => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    const created = await call('POST', '/v1/projects', {
      body: projectBody({ name: '  Harbour drones ', features: ['P3', 'T13', 'T1'] }),
    })
    expect(created.status, created.text).toBe(201)
    const project = created.json
    expect(project).toMatchObject({ name: 'Harbour drones', features: ['T1', 'T13', 'P3'], version: 1 })
    expect(project).not.toHaveProperty('org')
    expect(created.headers.get('location')).toBe(`/v1/projects/${project.id}`)
    expect(created.headers.get('etag')).toBe('"1"')
    expect(created.headers.get('cache-control')).toBe('private, no-store')

    const read = await call('GET', `/v1/projects/${project.id}`)
    expect(read.status).toBe(200)
    expect(read.json).toEqual(project)

    const noIfMatch = await call('PUT', `/v1/projects/${project.id}`, { body: projectBody() })
    expect(noIfMatch.status).toBe(428)
    const updated = await call('PUT', `/v1/projects/${project.id}`, {
      body: projectBody({ name: 'Harbour drones v2', stage: 'demonstration' }),
      headers: { 'if-match': '"1"' },
    })
    expect(updated.status, updated.text).toBe(200)
    expect(updated.json).toMatchObject({
      name: 'Harbour drones v2',
      version: 2,
      createdAt: project.createdAt,
    })
    expect(updated.headers.get('etag')).toBe('"2"')
    const stale = await call('PUT', `/v1/projects/${project.id}`, {
      body: projectBody(),
      headers: { 'if-match': '"1"' },
    })
    expect(stale.status).toBe(412)
    expect(stale.headers.get('content-type')).toContain('application/problem+json')

    const staleDelete = await call('DELETE', `/v1/projects/${project.id}`, { headers: { 'if-match': '"1"' } })
    expect(staleDelete.status).toBe(412)
    const deleted = await call('DELETE', `/v1/projects/${project.id}`, { headers: { 'if-match': '"2"' } })
    expect(deleted.status).toBe(204)
    expect((await call('GET', `/v1/projects/${project.id}`)).status).toBe(404)
    const again = await call('DELETE', `/v1/projects/${project.id}`, { headers: { 'if-match': '"2"' } })
    expect(again.status).toBe(404)
  })

  it('lists the organisation projects oldest first, page by page', async () => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    const names = ['Alpha', 'Bravo', 'Charlie']
    for (const name of names) {
      t.clock.advance(1000)
      expect((await call('POST', '/v1/projects', { body: projectBody({ name }) })).status).toBe(201)
    }
    const first = await call('GET', '/v1/projects?limit=2')
    expect(first.status, first.text).toBe(200)
    expect(first.json.items.map((p: { name: string }) => p.name)).toEqual(['Alpha', 'Bravo'])
    expect(first.json.nextCursor).toEqual(expect.any(String))
    const second = await call('GET', `/v1/projects?limit=2&cursor=${first.json.nextCursor}`)
    expect(second.json.items.map((p: { name: string }) => p.name)).toEqual(['Charlie'])
    expect(second.json).not.toHaveProperty('nextCursor')
    const all = await call('GET', '/v1/projects')
    expect(all.json.items).toHaveLength(3)
  })

  it('lets an admin of the organisation in too (admins pass editor checks)', async () => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    const created = await call('POST', '/v1/projects', { body: projectBody(), role: 'admin' })
    expect(created.status).toBe(201)
    expect((await call('GET', `/v1/projects/${created.json.id}`, { role: 'editor' })).status).toBe(200)
  })
})

describe('projects: bad input is a problem, never a write', () => {
  it.each([
    ['no name', { name: '' }, 'name'],
    ['a name too long', { name: 'x'.repeat(201) }, 'name'],
    ['a summary too long', { summary: 'x'.repeat(2001) }, 'summary'],
    ['no features', { features: [] }, 'features'],
    ['an unknown feature', { features: ['T1', 'X9'] }, 'features.1'],
    ['a repeated feature', { features: ['T1', 'T1'] }, 'features'],
    ['a lower-case country', { country: 'dk' }, 'country'],
    ['an unknown stage', { stage: 'someday' }, 'stage'],
    ['too many tags', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags'],
    ['a repeated tag', { tags: ['a', 'a'] }, 'tags'],
    ['an unknown field', { org: 'GLOBEX' }, 'org'],
    ['a server-owned field', { version: 7 }, 'version'],
  ])('refuses %s (400 naming the field)', async (_, overrides, path) => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    const created = await call('POST', '/v1/projects', { body: { ...projectBody(), ...overrides } })
    expect(created.status, created.text).toBe(400)
    expect(created.headers.get('content-type')).toContain('application/problem+json')
    expect(created.json.errors.map((error: { path: string }) => error.path)).toContain(path)
    expect(await t.deps.projects.listAll('ACME')).toEqual([])
  })

  it('refuses malformed JSON, other media types, bad ids, bad If-Match and bad cursors', async () => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    const project = (await call('POST', '/v1/projects', { body: projectBody() })).json
    expect((await call('POST', '/v1/projects', { body: '{"name":' })).status).toBe(400)
    expect(
      (await call('POST', '/v1/projects', { body: 'name=x', headers: { 'content-type': 'text/plain' } }))
        .status,
    ).toBe(415)
    for (const id of ['not-an-id', 'i'.repeat(26), '01JD3X9Q4V6N7P8R9S0T1V2W3X']) {
      const response = await call('GET', `/v1/projects/${id}`)
      expect(response.status, id).toBe(400)
      expect(response.json.errors[0].path).toBe('id')
    }
    const badIfMatch = await call('PUT', `/v1/projects/${project.id}`, {
      body: projectBody(),
      headers: { 'if-match': '*' },
    })
    expect(badIfMatch.status).toBe(400)
    const noIfMatch = await call('DELETE', `/v1/projects/${project.id}`)
    expect(noIfMatch.status).toBe(428)
    const invalidBody = await call('PUT', `/v1/projects/${project.id}`, {
      body: { name: 'x' },
      headers: { 'if-match': '"1"' },
    })
    expect(invalidBody.status).toBe(400)
    expect((await call('GET', '/v1/projects?cursor=garbage')).status).toBe(400)
    const foreignCursor = Buffer.from(JSON.stringify({ pk: 'ORG#GLOBEX', sk: 'PROJECT#x' })).toString(
      'base64url',
    )
    expect((await call('GET', `/v1/projects?cursor=${foreignCursor}`)).status).toBe(400)
    const metaCursor = Buffer.from(JSON.stringify({ pk: 'ORG#ACME', sk: 'SECRET#x' })).toString('base64url')
    expect((await call('GET', `/v1/projects?cursor=${metaCursor}`)).status).toBe(400)
    expect((await call('GET', '/v1/projects?limit=0')).status).toBe(400)
    expect((await call('GET', '/v1/projects?sort=name')).status).toBe(400)
    // Nothing above changed the project.
    expect(await t.deps.projects.get('ACME', project.id)).toEqual(project)
  })
})
