import { randomBytes } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { acceptsGzip, lambdaBodyBytes, lambdaResultBytes } from '../../functions/api/lib/response-size'
import { createTestContext, type TestContext } from '../support/context'
import { instrumentInput } from '../support/factories'

const EXPORT = '/v1/exports/instruments.csv'

async function get(t: TestContext, path: string, headers: Record<string, string> = {}) {
  const response = await t.app.request(path, { headers })
  return { response, bytes: new Uint8Array(await response.arrayBuffer()) }
}

/** Instruments with descriptions of `length` characters: repetitive (compressible) or random (not). */
async function seedWithDescriptions(t: TestContext, count: number, length: number, random: boolean) {
  const inputs = Array.from({ length: count }, (_, index) =>
    instrumentInput({
      name: `Export sizing call ${index}`,
      // The first is Swedish, the others Danish: a search for Sweden is a narrow one.
      country: index === 0 ? 'SE' : 'DK',
      description: random
        ? randomBytes(length).toString('base64').slice(0, length)
        : 'Grants for SMEs that build detection tools. '.repeat(length / 44 + 1).slice(0, length),
    }),
  )
  const outcomes = await t.store.writeMany(
    inputs.map((input) => ({ action: 'create' as const, input })),
    'seeder',
    t.clock.now(),
  )
  expect(outcomes.every((outcome) => outcome.ok)).toBe(true)
}

describe('gzip on large text responses', () => {
  it('compresses the CSV export when the client accepts gzip; it decompresses to the plain export', async () => {
    const t = await createTestContext()
    await seedWithDescriptions(t, 30, 300, false)

    const plain = await get(t, EXPORT)
    expect(plain.response.status).toBe(200)
    expect(plain.response.headers.get('content-encoding')).toBeNull()
    expect(plain.response.headers.get('vary')).toMatch(/Accept-Encoding/i)

    const gzipped = await get(t, EXPORT, { 'accept-encoding': 'gzip, deflate, br' })
    expect(gzipped.response.status).toBe(200)
    expect(gzipped.response.headers.get('content-encoding')).toBe('gzip')
    expect(gzipped.response.headers.get('vary')).toMatch(/Accept-Encoding/i)
    expect(gzipped.response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(gzipped.response.headers.get('content-disposition')).toMatch(/instruments\.csv/)
    expect(gzipped.response.headers.get('x-total-count')).toBe('30')
    expect(gzipped.bytes.length).toBeLessThan(plain.bytes.length / 4)
    expect(Buffer.from(gunzipSync(gzipped.bytes)).equals(Buffer.from(plain.bytes))).toBe(true)
    expect(parse(Buffer.from(plain.bytes).toString('utf8'), { bom: true })).toHaveLength(31)
  })

  it('compresses feeds and JSON too, but not small bodies, refused gzip, or a response with an ETag', async () => {
    const t = await createTestContext()
    await seedWithDescriptions(t, 30, 300, false)
    const gzip = { 'accept-encoding': 'gzip' }

    const atom = await get(t, '/v1/feeds/instruments.atom', gzip)
    expect(atom.response.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(atom.bytes).toString('utf8')).toMatch(/^<\?xml/)
    const search = await get(t, '/v1/instruments?limit=30', gzip)
    expect(search.response.headers.get('content-encoding')).toBe('gzip')
    expect(JSON.parse(gunzipSync(search.bytes).toString('utf8'))).toMatchObject({ total: 30 })

    const health = await get(t, '/health', gzip)
    expect(health.response.headers.get('content-encoding')).toBeNull()
    expect(health.response.headers.get('vary') ?? '').not.toMatch(/Accept-Encoding/i)

    const refused = await get(t, EXPORT, { 'accept-encoding': 'gzip;q=0, identity' })
    expect(refused.response.headers.get('content-encoding')).toBeNull()

    const long = await t.store.create(
      instrumentInput({ description: 'A long description. '.repeat(200) }),
      'seeder',
      t.clock.now(),
    )
    const detail = await get(t, `/v1/instruments/${long.id}`, gzip)
    expect(detail.bytes.length).toBeGreaterThan(1024)
    expect(detail.response.headers.get('etag')).toBe('"1"')
    expect(detail.response.headers.get('content-encoding')).toBeNull()
  })
})

describe('responses larger than the platform carries (MAX_RESPONSE_BYTES, 64 KiB here)', () => {
  const small = { MAX_RESPONSE_BYTES: String(64 * 1024) }

  it('an export that fits only compressed: 406 without gzip (saying so), the file with gzip', async () => {
    const t = await createTestContext({ env: small })
    await seedWithDescriptions(t, 60, 1500, false)

    const plain = await t.call('GET', EXPORT)
    expect(plain.status).toBe(406)
    expect(plain.headers.get('content-type')).toBe('application/problem+json')
    expect(plain.headers.get('content-disposition')).toBeNull()
    expect(plain.headers.get('x-total-count')).toBeNull()
    expect(plain.headers.get('cache-control')).toBe('no-store')
    // The security headers every response carries stay.
    expect(plain.headers.get('content-security-policy')).toMatch(/default-src 'self'/)
    expect(plain.headers.get('x-request-id')).toBe(plain.json.requestId)
    expect(plain.json).toMatchObject({
      type: 'https://fundfinder.dev/problems/response-too-large',
      status: 406,
    })
    expect(plain.json.detail).toMatch(/Accept-Encoding: gzip/)
    expect(plain.json.detail).toMatch(/country, features/)

    const gzipped = await get(t, EXPORT, { 'accept-encoding': 'gzip' })
    expect(gzipped.response.status).toBe(200)
    expect(gzipped.response.headers.get('content-encoding')).toBe('gzip')
    expect(lambdaResultBytes(gzipped.bytes, gzipped.response.headers)).toBeLessThanOrEqual(64 * 1024)
    expect(parse(gunzipSync(gzipped.bytes).toString('utf8'), { bom: true })).toHaveLength(61)
  })

  it('an export too large even compressed: 422 telling how to narrow it, with or without gzip', async () => {
    const t = await createTestContext({ env: small })
    await seedWithDescriptions(t, 60, 2000, true)

    for (const headers of [{}, { 'accept-encoding': 'gzip' }] as Record<string, string>[]) {
      const answer = await t.call('GET', EXPORT, { headers })
      expect(answer.status).toBe(422)
      expect(answer.headers.get('content-encoding')).toBeNull()
      expect(answer.json).toMatchObject({ type: 'https://fundfinder.dev/problems/response-too-large' })
      expect(answer.json.detail).toMatch(/Narrow the request/)
    }
    // A narrower search fits.
    const narrow = await get(t, `${EXPORT}?country=SE`, { 'accept-encoding': 'gzip' })
    expect(narrow.response.status).toBe(200)
  })
})

describe('measuring a response as Lambda carries it', () => {
  it('counts text as its JSON string and binary (calendars, gzip) as base64', () => {
    const text = new TextEncoder().encode('a,"b"\r\n')
    const csv = new Headers({ 'content-type': 'text/csv; charset=utf-8' })
    expect(lambdaBodyBytes(text, csv)).toBe(JSON.stringify('a,"b"\r\n').length)
    const calendar = new Headers({ 'content-type': 'text/calendar; charset=utf-8' })
    expect(lambdaBodyBytes(new Uint8Array(300), calendar)).toBe(400)
    const gzipped = new Headers({ 'content-type': 'text/csv', 'content-encoding': 'gzip' })
    expect(lambdaBodyBytes(new Uint8Array(3), gzipped)).toBe(4)
  })

  it('reads Accept-Encoding with its weights', () => {
    expect(acceptsGzip(undefined)).toBe(false)
    expect(acceptsGzip('gzip')).toBe(true)
    expect(acceptsGzip('br, GZIP;q=0.5')).toBe(true)
    expect(acceptsGzip('x-gzip')).toBe(true)
    expect(acceptsGzip('*')).toBe(true)
    expect(acceptsGzip('gzip;q=0')).toBe(false)
    expect(acceptsGzip('*;q=0.1, gzip;q=0')).toBe(false)
    expect(acceptsGzip('br, identity')).toBe(false)
  })
})
