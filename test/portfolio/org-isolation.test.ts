import { describe, expect, it } from 'vitest'
import { createTestContext, type TestContext } from '../support/context'
import { projectBody, seedInstruments } from '../support/factories'
import { ANNEX_2_OPEN_CALL_1, portfolioCaller } from './support'

/** Everything an organisation owns, as stored, to prove a foreign request changed nothing. */
async function snapshot(t: TestContext, org: string) {
  const projects = await t.deps.projects.listAll(org)
  return JSON.stringify(
    projects.map((project) => Object.entries(project).sort(([a], [b]) => a.localeCompare(b))),
  )
}

/**
 * Every project route, called by a member of `from` on a project of `to`: each must be a 404 (as
 * if the project did not exist) and leave both portfolios as they were.
 */
async function assertIsolated(t: TestContext, from: string, to: string) {
  const call = portfolioCaller(t)
  const own = await call('POST', '/v1/projects', { org: from, body: projectBody({ name: `${from} own` }) })
  const foreign = await call('POST', '/v1/projects', {
    org: to,
    body: projectBody({ name: `${to} secret project`, features: ['T1', 'P12'] }),
  })
  expect(own.status).toBe(201)
  expect(foreign.status).toBe(201)
  const id = foreign.json.id as string
  const before = { from: await snapshot(t, from), to: await snapshot(t, to) }

  const attempts = [
    await call('GET', `/v1/projects/${id}`, { org: from }),
    await call('GET', `/v1/projects/${id}/matches`, { org: from }),
    await call('PUT', `/v1/projects/${id}`, {
      org: from,
      body: projectBody({ name: 'taken over' }),
      headers: { 'if-match': '"1"' },
    }),
    await call('DELETE', `/v1/projects/${id}`, { org: from, headers: { 'if-match': '"1"' } }),
    // as an admin too: admins are scoped by organisation like everyone else
    await call('GET', `/v1/projects/${id}`, { org: from, role: 'admin' }),
    await call('DELETE', `/v1/projects/${id}`, { org: from, role: 'admin', headers: { 'if-match': '"1"' } }),
  ]
  for (const attempt of attempts) {
    expect(attempt.status, attempt.text).toBe(404)
    expect(attempt.headers.get('content-type')).toContain('application/problem+json')
    expect(attempt.text).not.toContain(`${to} secret project`)
  }
  // The 404 for a real foreign id is the same as for an id that never existed: nothing to learn.
  const neverExisted = await call('GET', '/v1/projects/01jd3x9q4v6n7p8r9s0t1v2w3x', { org: from })
  expect(neverExisted.status).toBe(404)
  expect(Object.keys(neverExisted.json).sort()).toEqual(Object.keys(attempts[0]?.json).sort())
  expect(neverExisted.json.title).toBe(attempts[0]?.json.title)

  // Listings, the matrix and its CSV show only the caller's own projects.
  const list = await call('GET', '/v1/projects', { org: from })
  expect(list.json.items.map((project: { id: string }) => project.id)).toEqual([own.json.id])
  const matrix = await call('GET', '/v1/projects/matrix', { org: from })
  expect(matrix.status).toBe(200)
  expect(matrix.json.projects.map((project: { id: string }) => project.id)).toEqual([own.json.id])
  const csv = await call('GET', '/v1/projects/matrix.csv', { org: from })
  expect(csv.status).toBe(200)
  expect(csv.text).not.toContain(id)
  expect(csv.text).not.toContain('secret')

  // An import with the foreign project's name creates the caller's own project; the other is untouched.
  const imported = await call('POST', '/v1/projects/imports', {
    org: from,
    csv: `name,features\n${to} secret project,G3\n`,
  })
  expect(imported.status, imported.text).toBe(200)
  expect(imported.json.projects[0]).toMatchObject({ action: 'create' })
  expect(await snapshot(t, to)).toBe(before.to)
  expect(JSON.parse(await snapshot(t, from))).toHaveLength(2)
  expect(await t.deps.projects.get(from, own.json.id)).toEqual(own.json)
}

describe('organisation isolation', () => {
  it('ACME cannot see, change, delete, match or list a project of GLOBEX, and the reverse', async () => {
    for (const [from, to] of [
      ['ACME', 'GLOBEX'],
      ['GLOBEX', 'ACME'],
    ] as const) {
      const t = await createTestContext()
      await seedInstruments(t, [{ features: ['T1', 'P12'] }, { features: ['T14', 'P3'] }])
      await assertIsolated(t, from, to)
    }
  })

  it('keeps each organisation to its own portfolio when both import the same file', async () => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    for (const org of ['ACME', 'GLOBEX']) {
      const result = await call('POST', '/v1/projects/imports', { org, csv: ANNEX_2_OPEN_CALL_1 })
      expect(result.status, result.text).toBe(200)
      expect(result.json.created).toBe(21)
    }
    const acme = await t.deps.projects.listAll('ACME')
    const globex = await t.deps.projects.listAll('GLOBEX')
    expect(acme).toHaveLength(21)
    expect(globex).toHaveLength(21)
    const acmeIds = new Set(acme.map((project) => project.id))
    expect(globex.some((project) => acmeIds.has(project.id))).toBe(false)
  })

  it('refuses a token without an organisation (403) on every project route, and changes nothing', async () => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    const created = await call('POST', '/v1/projects', { body: projectBody() })
    const id = created.json.id as string
    const before = await snapshot(t, 'ACME')
    const requests: [string, string, Parameters<typeof call>[2]][] = [
      ['GET', '/v1/projects', {}],
      ['POST', '/v1/projects', { body: projectBody() }],
      ['GET', `/v1/projects/${id}`, {}],
      ['PUT', `/v1/projects/${id}`, { body: projectBody(), headers: { 'if-match': '"1"' } }],
      ['DELETE', `/v1/projects/${id}`, { headers: { 'if-match': '"1"' } }],
      ['GET', `/v1/projects/${id}/matches`, {}],
      ['GET', '/v1/projects/matrix', {}],
      ['GET', '/v1/projects/matrix.csv', {}],
      ['POST', '/v1/projects/imports', { csv: 'name,features\nX,T1\n' }],
    ]
    for (const [method, path, options] of requests) {
      const noOrg = await call(method, path, { ...options, org: null })
      expect(noOrg.status, `${method} ${path}`).toBe(403)
      expect(noOrg.json.detail).toContain('organisation')
      const noRole = await call(method, path, { ...options, role: 'none' })
      expect(noRole.status, `${method} ${path} without a role`).toBe(403)
      const anonymous = await t.app.request(path, { method })
      expect(anonymous.status, `${method} ${path} without a token`).toBe(401)
      expect(anonymous.headers.get('www-authenticate')).toContain('Bearer')
    }
    expect(await snapshot(t, 'ACME')).toBe(before)
  })

  it('never shows projects in public endpoints', async () => {
    const t = await createTestContext()
    const call = portfolioCaller(t)
    await seedInstruments(t, [{ name: 'Public call', features: ['T1'] }])
    await call('POST', '/v1/projects', {
      body: projectBody({ name: 'Zebra confidential', features: ['T1'] }),
    })
    for (const path of ['/v1/instruments', '/v1/instruments?q=zebra', '/v1/taxonomy']) {
      const response = await t.call('GET', path)
      expect(response.status).toBe(200)
      expect(response.text).not.toContain('Zebra confidential')
    }
    const search = await t.call('GET', '/v1/instruments?q=zebra')
    expect(search.json.total).toBe(0)
  })
})
