import { createRouter } from './lib/create-router'
import { API_ROUTERS } from './routers'

export const API_VERSION = '1.0.0'

let document: object | undefined

/**
 * The OpenAPI document of the whole API, whichever function serves it: the public function mounts
 * only its own routers, yet documents every route, so it loads this module (and with it the write
 * surface's contracts) with the first request for /openapi.json, not at a cold start.
 */
export function openApiDocument(): object {
  if (document) return document
  const documented = createRouter()
  for (const router of API_ROUTERS) documented.route('/', router)
  documented.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A Cognito ID or access token (locally: `npm run --silent token -- --role admin`).',
  })
  document = documented.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'fundfinder API',
      version: API_VERSION,
      description:
        'Find the public funding that fits your project. Instruments are described by the SecurIT feature taxonomy (54 features); search by features, origin, country and more.',
      license: { name: 'MIT' },
    },
    servers: [{ url: '/' }],
  })
  return document
}
