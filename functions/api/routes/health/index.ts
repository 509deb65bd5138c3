import { createRouter } from '../../lib/create-router'
import { health } from './health.routes'

export const healthRouter = createRouter().openapi(health, (c) => c.json({ status: 'ok' as const }, 200))
