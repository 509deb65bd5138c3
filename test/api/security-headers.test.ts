import { describe, expect, it } from 'vitest'
import { createTestContext } from '../support/context'

describe('security headers and CORS', () => {
  it('sends a strict content security policy and hardening headers on API responses and problems', async () => {
    const t = await createTestContext()
    for (const path of ['/health', '/v1/instruments/unknown']) {
      const result = await t.call('GET', path)
      const csp = result.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("default-src 'self'")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).not.toContain('unsafe-inline')
      expect(result.headers.get('x-content-type-options')).toBe('nosniff')
      expect(result.headers.get('x-frame-options')).toBe('DENY')
      expect(result.headers.get('strict-transport-security')).toContain('max-age=')
      expect(result.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    }
  })

  it('gives the API reference page and its viewer files the same strict policy, with nothing from a CDN', async () => {
    const t = await createTestContext()
    const home = await t.call('GET', '/')
    const docs = await t.call('GET', '/docs')
    expect(docs.status).toBe(200)
    expect(docs.headers.get('content-security-policy')).toBe(home.headers.get('content-security-policy'))
    expect(docs.headers.get('content-security-policy')).not.toContain('unsafe-inline')
    expect(docs.text).not.toMatch(/https?:\/\//)
    expect(docs.text).not.toMatch(/<script>|<style|style="/)
    const assets = [...docs.text.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1] ?? '')
    expect(assets).toHaveLength(3)
    for (const asset of assets) {
      const response = await t.app.request(asset)
      expect(response.status, asset).toBe(200)
      expect(response.headers.get('cache-control'), asset).toContain('immutable')
      expect(response.headers.get('content-security-policy'), asset).toBe(
        home.headers.get('content-security-policy'),
      )
    }
  })

  it('answers CORS only for allow-listed origins', async () => {
    const t = await createTestContext({ env: { CORS_ORIGINS: 'https://app.example.org' } })
    const preflight = (origin: string) =>
      t.app.request('/v1/instruments', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      })
    const allowed = await preflight('https://app.example.org')
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.org')
    expect(allowed.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('if-match')
    const refused = await preflight('https://evil.example.com')
    expect(refused.headers.get('access-control-allow-origin')).toBeNull()
    const simple = await t.app.request('/health', { headers: { origin: 'https://evil.example.com' } })
    expect(simple.headers.get('access-control-allow-origin')).toBeNull()
  })
})
