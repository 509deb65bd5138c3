import { describe, expect, it } from 'vitest'
import { createTestContext } from '../support/context'

const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}')

describe('/openapi.json', () => {
  it('is OpenAPI 3.1 and documents every API route with its success and problem responses', async () => {
    const t = await createTestContext()
    const result = await t.call('GET', '/openapi.json')
    expect(result.status).toBe(200)
    const doc = result.json
    expect(doc.openapi).toBe('3.1.0')

    const apiRoutes = t.app.routes.filter(
      (route) => route.method !== 'ALL' && (route.path.startsWith('/v1/') || route.path === '/health'),
    )
    expect(apiRoutes.length).toBeGreaterThanOrEqual(6)
    for (const route of apiRoutes) {
      const operation = doc.paths[toOpenApiPath(route.path)]?.[route.method.toLowerCase()]
      expect(operation, `${route.method} ${route.path} is documented`).toBeDefined()
      const statuses = Object.keys(operation.responses)
      expect(statuses.some((status) => status.startsWith('2'))).toBe(true)
      const takesInput = (operation.parameters?.length ?? 0) > 0 || operation.requestBody
      if (takesInput) expect(statuses, `${route.method} ${route.path} documents 400`).toContain('400')
      if (operation.security) expect(statuses).toEqual(expect.arrayContaining(['401', '403']))
      for (const status of statuses.filter((s) => /^[45]/.test(s))) {
        expect(operation.responses[status].content['application/problem+json']).toBeDefined()
      }
    }
    // and documents nothing that does not exist
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations as object).map((method) => `${method.toUpperCase()} ${path}`),
    )
    const served = new Set(apiRoutes.map((route) => `${route.method} ${toOpenApiPath(route.path)}`))
    for (const operation of documented) expect(served.has(operation), operation).toBe(true)
    expect(doc.components.securitySchemes.Bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
  })

  it('serves an interactive reference at /docs', async () => {
    const t = await createTestContext()
    const result = await t.call('GET', '/docs')
    expect(result.status).toBe(200)
    expect(result.text).toContain('/openapi.json')
  })
})
