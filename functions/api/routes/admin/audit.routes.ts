import { createRoute, z } from '@hono/zod-openapi'
import { AUDIT_ACTIONS } from '../../../../shared/catalogue/store/instrument-store'
import { requireRole } from '../../lib/middleware'
import { bearerSecurity, problemResponses } from '../../lib/openapi'

export const AuditEventSchema = z
  .object({
    seq: z.number().int().meta({ description: 'Catalogue version this change produced' }),
    at: z.iso.datetime(),
    actor: z.string(),
    action: z.enum(AUDIT_ACTIONS),
    instrumentId: z.string(),
    instrumentVersion: z.number().int(),
  })
  .meta({ id: 'AuditEvent' })

export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(25).meta({ description: 'Page size, 1-100' }),
  cursor: z.string().max(2048).optional().meta({ description: '`nextCursor` of the previous page' }),
})

export const listAudit = createRoute({
  method: 'get',
  path: '/v1/admin/audit',
  tags: ['Administration'],
  summary: 'Change events, newest first',
  security: bearerSecurity,
  middleware: [requireRole('admin')] as const,
  request: {
    query: PageQuery.extend({
      instrumentId: z.string().min(1).max(64).optional().meta({ description: 'Only this instrument' }),
    }),
  },
  responses: {
    200: {
      description: 'A page of audit events',
      content: {
        'application/json': {
          schema: z.object({ items: z.array(AuditEventSchema), nextCursor: z.string().optional() }),
        },
      },
    },
    ...problemResponses(400, 401, 403),
  },
})
