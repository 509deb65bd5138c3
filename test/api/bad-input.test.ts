import { beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, type TestContext } from '../support/context'
import { instrumentBody } from '../support/factories'

let t: TestContext
beforeAll(async () => {
  t = await createTestContext({ env: { MAX_BODY_BYTES: '4096' } })
})

function expectProblem(result: { status: number; headers: Headers; json: any }, status: number) {
  expect(result.status).toBe(status)
  expect(result.headers.get('content-type')).toBe('application/problem+json')
  expect(result.json).toMatchObject({
    type: expect.stringMatching(/^https:\/\//),
    title: expect.any(String),
    status,
  })
  expect(result.json.detail).toEqual(expect.any(String))
  expect(result.json.requestId).toEqual(expect.any(String))
}

describe('bad input is a clear 4xx problem and writes nothing', () => {
  it('lists every failing field of an invalid body', async () => {
    const result = await t.call('POST', '/v1/instruments', {
      role: 'editor',
      body: { ...instrumentBody(), country: 'dk', features: ['T1', 'X9'], url: 'nope', colour: 'blue' },
    })
    expectProblem(result, 400)
    expect(result.json.errors.map((error: { path: string }) => error.path).sort()).toEqual(
      ['colour', 'country', 'features.1', 'url'].sort(),
    )
  })

  it('refuses a deadline in the past with 422', async () => {
    const result = await t.call('POST', '/v1/instruments', {
      role: 'editor',
      body: instrumentBody({ deadline: '2026-11-21' }),
    })
    expectProblem(result, 422)
    expect(result.json.errors).toEqual([{ path: 'deadline', message: expect.stringContaining('past') }])
  })

  it('answers 415 for a body that is not JSON', async () => {
    const result = await t.call('POST', '/v1/instruments', {
      role: 'editor',
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expectProblem(result, 415)
  })

  it('answers 400 for malformed JSON', async () => {
    const result = await t.call('POST', '/v1/instruments', { role: 'editor', body: '{"name": ' })
    expectProblem(result, 400)
  })

  it('answers 400 for a JSON body that is not an object', async () => {
    for (const body of ['[]', '"x"', '42', 'null']) {
      expectProblem(await t.call('POST', '/v1/instruments', { role: 'editor', body }), 400)
    }
  })

  it('answers 413 for a body over the limit', async () => {
    const result = await t.call('POST', '/v1/instruments', {
      role: 'editor',
      body: instrumentBody({ description: 'x'.repeat(5000) }),
    })
    expectProblem(result, 413)
  })

  it('answers 404 as a problem for unknown routes', async () => {
    expectProblem(await t.call('GET', '/v1/nothing-here'), 404)
  })

  it('left the catalogue untouched', async () => {
    expect(await t.store.catalogueVersion()).toBe(0)
  })
})
