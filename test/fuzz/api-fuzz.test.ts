import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, type TestContext } from '../support/context'
import { instrumentBody } from '../support/factories'
import { tableContentHash } from '../support/table-hash'

/**
 * Generated hostile requests against every operation in /openapi.json: wrong types, huge and deeply
 * nested JSON, odd unicode, NUL bytes, prototype-pollution keys, repeated and empty parameters,
 * wrong methods and content types, broken and forged tokens. Whatever arrives, the API answers
 * with a 2xx/3xx or a 4xx problem+json, never a 5xx, and a rejected request writes nothing.
 */

/** At least this many requests per run, spread over the operations (more with FUZZ_RUNS_PER_OPERATION). */
const MIN_TOTAL_REQUESTS = 5000
const RUNS_OVERRIDE = Number(process.env.FUZZ_RUNS_PER_OPERATION ?? 0)

interface Operation {
  method: string
  path: string
  queryNames: string[]
  hasBody: boolean
  secured: boolean
}

/** URLs cannot carry lone surrogates; replace them as a browser would. */
const wellFormed = (value: string) => value.replace(/\p{Cs}/gu, '\ufffd')

let t: TestContext
let operations: Operation[]
let seededId: string
let tokens: Record<string, string | undefined>
let requestsSent = 0

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '__proto__',
    'constructor',
    '../../etc/passwd',
    '%00',
    '%ZZ',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '\u202e\u0301\uffff',
    '\ud800',
    'x'.repeat(5000),
    '-1',
    '0',
    '1e309',
    'NaN',
    'null',
    'true',
    '[]',
    '{}',
    'T1,T1,,P99',
    'all',
    'any',
    'DK',
    'dk',
    '2027-02-30',
    '2027-01-01',
  ),
)

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    hostileString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'prototype')),
      tie('value'),
      {
        maxKeys: 4,
      },
    ),
  ),
})).value

const mutatedInstrument = fc
  .record({
    key: fc.constantFrom(
      ...Object.keys(instrumentBody()),
      'budget',
      'version',
      'id',
      'status',
      '__proto__',
      'createdBy',
    ),
    value: jsonValue,
    drop: fc.boolean(),
  })
  .map(({ key, value, drop }) => {
    const body: Record<string, unknown> = instrumentBody()
    if (drop) delete body[key]
    else body[key] = value
    return JSON.stringify(body)
  })

const bodyText = fc.oneof(
  jsonValue.map((value) => JSON.stringify(value)),
  mutatedInstrument,
  fc.constantFrom(
    '',
    '{',
    '{"name": "x"',
    'null',
    '[]',
    '"just a string"',
    '{"__proto__": {"admin": true}, "name": "x"}',
    '{"constructor": {"prototype": {"polluted": 1}}}',
    `${'['.repeat(5000)}${']'.repeat(5000)}`,
    `{"name": "${'n'.repeat(300_000)}"}`,
    'name,kind\nx,call\n',
    '\u0000\u0000',
  ),
)

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/merge-patch+json',
  'text/csv',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  undefined,
)

beforeAll(async () => {
  t = await createTestContext()
  const seeded = await t.call('POST', '/v1/instruments', { role: 'admin', body: instrumentBody() })
  seededId = seeded.json.id
  const doc = (await t.call('GET', '/openapi.json')).json
  operations = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      queryNames: (op.parameters ?? [])
        .filter((p: any) => p.in === 'query')
        .map((p: any) => p.name as string),
      hasBody: Boolean(op.requestBody),
      secured: Boolean(op.security),
    })),
  )
  const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
    JSON.stringify({ sub: 'x', 'cognito:groups': ['admin'], exp: 9_999_999_999 }),
  ).toString('base64url')}.`
  tokens = {
    none: undefined,
    garbage: 'Bearer not-a-jwt',
    empty: 'Bearer ',
    algNone: `Bearer ${unsigned}`,
    forged: `Bearer ${await t.issuer.signWithForeignKey({ roles: ['admin'], org: 'fuzz' })}`,
    expired: `Bearer ${await t.token({ roles: ['admin'], expiresIn: -100 })}`,
    noRole: `Bearer ${await t.token([])}`,
    editor: `Bearer ${await t.token({ roles: ['editor'], org: 'fuzz' })}`,
    admin: `Bearer ${await t.token({ roles: ['admin'], org: 'fuzz' })}`,
  }
})

describe('fuzzing every documented operation', () => {
  it('never answers 5xx, always problem+json for errors, and rejected requests write nothing', async () => {
    const runsPerOperation = RUNS_OVERRIDE || Math.max(150, Math.ceil(MIN_TOTAL_REQUESTS / operations.length))
    for (const operation of operations) {
      const request = fc.record({
        method: fc.oneof(
          { weight: 4, arbitrary: fc.constant(operation.method) },
          { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH') },
        ),
        pathParam: fc.oneof(
          fc.constant(seededId),
          hostileString.map((value) => encodeURIComponent(wellFormed(value))),
          // Sent as they are: malformed percent-encoding and encoded separators.
          fc.constantFrom('%ZZ', '%', '%00', '..%2F..%2F', '%E0%A4%A', 'a%2Fb'),
        ),
        query: fc.array(
          fc.tuple(
            fc.oneof(fc.constantFrom(...operation.queryNames, 'unknown', '__proto__'), hostileString),
            hostileString,
          ),
          { maxLength: 4 },
        ),
        body: fc.option(bodyText, { nil: undefined, freq: operation.hasBody ? 8 : 2 }),
        contentType,
        auth: fc.constantFrom(...Object.keys(tokens)),
        ifMatch: fc.option(fc.constantFrom('"1"', '"2"', '*', 'W/"1"', 'abc', '"99999999999"', ''), {
          nil: undefined,
        }),
      })
      await fc.assert(
        fc.asyncProperty(request, async (input) => {
          const path = operation.path.replace(/\{[^}]+\}/g, () => input.pathParam)
          const search = new URLSearchParams(
            input.query.map(([key, value]): [string, string] => [wellFormed(key), wellFormed(value)]),
          ).toString()
          const headers: Record<string, string> = {}
          if (input.contentType && input.body !== undefined) headers['content-type'] = input.contentType
          const auth = tokens[input.auth]
          if (auth !== undefined) headers.authorization = auth
          if (input.ifMatch !== undefined) headers['if-match'] = input.ifMatch
          const mutating = input.method !== 'GET'
          const before = mutating ? await tableContentHash(t.client, t.tableName) : undefined
          const response = await t.app.request(`${path}${search ? `?${search}` : ''}`, {
            method: input.method,
            headers,
            body: input.method === 'GET' ? undefined : input.body,
          })
          requestsSent += 1
          const text = await response.text()
          expect(response.status, `${input.method} ${path} -> ${text.slice(0, 300)}`).toBeLessThan(500)
          if (response.status >= 400) {
            expect(response.headers.get('content-type')).toBe('application/problem+json')
            const problem = JSON.parse(text)
            expect(problem.status).toBe(response.status)
            expect(problem.detail).toEqual(expect.any(String))
            expect(text).not.toMatch(/\bat [\w.<>]+ \(|node_modules/)
            if (mutating) expect(await tableContentHash(t.client, t.tableName)).toBe(before)
          }
        }),
        { numRuns: runsPerOperation, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
      )
    }
    expect(requestsSent).toBeGreaterThanOrEqual(
      RUNS_OVERRIDE ? operations.length * RUNS_OVERRIDE : MIN_TOTAL_REQUESTS,
    )
    // Prototype pollution never reached a plain object.
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  }, 600_000)
})
