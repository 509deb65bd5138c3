import { beforeAll, describe, expect, it } from 'vitest'
import { SUGGESTION_THRESHOLD } from '../../shared/catalogue/features/suggest-features'
import { createTestContext, type TestContext } from '../support/context'

let t: TestContext
beforeAll(async () => {
  t = await createTestContext()
})

const suggest = (body: unknown, headers?: Record<string, string>) =>
  t.call('POST', '/v1/features/suggest', { body, ...(headers ? { headers } : {}) })

function expectProblem(
  result: { status: number; headers: Headers; json: any },
  status: number,
  path?: string,
) {
  expect(result.status).toBe(status)
  expect(result.headers.get('content-type')).toBe('application/problem+json')
  expect(result.json).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) })
  if (path) expect(result.json.errors.map((error: { path: string }) => error.path)).toContain(path)
}

describe('POST /v1/features/suggest', () => {
  it('is public and answers the suggested features with their evidence, best first', async () => {
    const text =
      'A counter-drone prototype that detects UAVs with radar and shares alerts with first responders.'
    const result = await suggest({ text })
    expect(result.status).toBe(200)
    expect(result.headers.get('content-type')).toMatch(/^application\/json/)
    expect(result.json.threshold).toBe(SUGGESTION_THRESHOLD)
    const suggestions = result.json.suggestions as {
      code: string
      label: string
      score: number
      confident: boolean
      evidence: string[]
    }[]
    expect(suggestions[0]).toEqual({
      code: 'T13',
      label: 'UAVs, Drones',
      score: expect.any(Number),
      confident: true,
      evidence: ['counter-drone', 'UAVs'],
    })
    expect(suggestions.map((suggestion) => suggestion.code)).toEqual(
      expect.arrayContaining(['T13', 'T14', 'P3', 'D2', 'P6']),
    )
    for (const [index, suggestion] of suggestions.entries()) {
      expect(suggestion.score).toBeGreaterThan(0)
      expect(suggestion.score).toBeLessThanOrEqual(1)
      if (index > 0) expect(suggestion.score).toBeLessThanOrEqual(suggestions[index - 1]!.score)
      for (const evidence of suggestion.evidence) expect(text).toContain(evidence)
    }
  })

  it('answers the same for the same text', async () => {
    const body = { text: 'Encrypted data sharing and biometric access control for critical infrastructure.' }
    const first = await suggest(body)
    const second = await suggest(body)
    expect(first.status).toBe(200)
    expect(first.json.suggestions.length).toBeGreaterThan(2)
    expect(second.text).toBe(first.text)
  })

  it('returns at most `limit` suggestions', async () => {
    const text = 'Drones, lasers, robots, quantum sensors, blockchain and AI for forensic analysis.'
    const all = await suggest({ text })
    const limited = await suggest({ text, limit: 2 })
    expect(all.json.suggestions.length).toBeGreaterThan(2)
    expect(limited.json.suggestions).toEqual(all.json.suggestions.slice(0, 2))
    expect((await suggest({ text, limit: 54 })).json.suggestions).toEqual(all.json.suggestions)
  })

  it('answers an empty list for a text about none of the features', async () => {
    const result = await suggest({ text: 'The quick brown fox jumps over the lazy dog.' })
    expect(result.status).toBe(200)
    expect(result.json.suggestions).toEqual([])
  })

  it('reads HTML and script as text and quotes it back only as JSON strings', async () => {
    const text = '<script>alert(1)</script><img src=x onerror=alert(2)> drone <b>encryption</b>'
    const result = await suggest({ text })
    expect(result.status).toBe(200)
    expect(result.headers.get('content-type')).toMatch(/^application\/json/)
    const codes = result.json.suggestions.map((suggestion: { code: string }) => suggestion.code)
    expect(codes).toEqual(expect.arrayContaining(['T13', 'T3']))
    for (const suggestion of result.json.suggestions) {
      for (const evidence of suggestion.evidence) expect(text).toContain(evidence)
    }
  })

  it('accepts a text of exactly 20,000 characters', async () => {
    const text = 'drone '.repeat(4000).slice(0, 20_000)
    expect(text).toHaveLength(20_000)
    const result = await suggest({ text })
    expect(result.status).toBe(200)
    expect(result.json.suggestions[0]).toMatchObject({ code: 'T13', confident: true, evidence: ['drone'] })
  })

  it('refuses a bad body with a 400 problem naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ text: 'x'.repeat(20_001) }, 'text'],
      [{ text: '' }, 'text'],
      [{}, 'text'],
      [{ text: 42 }, 'text'],
      [{ text: ['drone'] }, 'text'],
      [{ text: null }, 'text'],
      [{ text: 'drone', limit: 0 }, 'limit'],
      [{ text: 'drone', limit: 55 }, 'limit'],
      [{ text: 'drone', limit: 1.5 }, 'limit'],
      [{ text: 'drone', limit: '3' }, 'limit'],
      [{ text: 'drone', colour: 'blue' }, 'colour'],
    ]
    for (const [body, path] of cases) expectProblem(await suggest(body), 400, path)
  })

  it('refuses malformed JSON, a body that is not an object, and a body that is not JSON', async () => {
    expectProblem(await suggest('{"text": '), 400)
    for (const body of ['[]', '"drone"', '42', 'null']) expectProblem(await suggest(body), 400)
    expectProblem(await suggest('text=drone', { 'content-type': 'application/x-www-form-urlencoded' }), 415)
  })

  it('is documented in /openapi.json', async () => {
    const doc = (await t.call('GET', '/openapi.json')).json
    const operation = doc.paths['/v1/features/suggest']?.post
    expect(operation).toBeDefined()
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '413', '415']))
    expect(operation.security).toBeUndefined()
    expect(doc.components.schemas.SuggestFeaturesRequest.properties.text.maxLength).toBe(20_000)
  })
})
