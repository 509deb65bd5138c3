import { createRoute, z } from '@hono/zod-openapi'
import { Deadline, Instrument } from '../../../../shared/catalogue/instrument'
import { ARCHIVE_REASONS } from '../../../../shared/catalogue/store/instrument-store'
import { requireRole } from '../../lib/middleware'
import { bearerSecurity, ETagHeader, problemResponses } from '../../lib/openapi'
import { PageQuery } from '../admin/audit.routes'
import { IdParams } from '../instruments/instruments.routes'

export const ArchivedInstrumentSchema = z
  .object({
    instrument: Instrument.meta({ description: 'The full record as it was when it left the catalogue' }),
    archivedAt: z.iso.datetime(),
    reason: z.enum(ARCHIVE_REASONS),
    archivedBy: z.string().meta({ description: 'Who removed it; `system:expiry` for the scheduled job' }),
    purgeAfter: z.iso
      .datetime()
      .meta({ description: 'When DynamoDB TTL deletes the archived copy for good' }),
  })
  .meta({ id: 'ArchivedInstrument' })

export const RestoreBody = z
  .strictObject({
    deadline: Deadline.nullable().optional().meta({
      description:
        'A new deadline (required when the archived one has passed, as for a recurring call reopening); `null` makes it open-ended; omitted keeps the archived deadline',
    }),
  })
  .meta({ id: 'RestoreRequest' })

export const listArchive = createRoute({
  method: 'get',
  path: '/v1/admin/archive',
  tags: ['Administration'],
  summary: 'Archived (expired or deleted) instruments, newest first',
  description:
    'Instruments that left the catalogue and are still retained (until `purgeAfter`). Filter by `reason`; page with `cursor`.',
  security: bearerSecurity,
  middleware: [requireRole('admin')] as const,
  request: {
    query: PageQuery.extend({
      reason: z
        .enum(ARCHIVE_REASONS)
        .optional()
        .meta({ description: 'Only instruments archived for this reason' }),
    }),
  },
  responses: {
    200: {
      description: 'A page of archived instruments',
      content: {
        'application/json': {
          schema: z.object({ items: z.array(ArchivedInstrumentSchema), nextCursor: z.string().optional() }),
        },
      },
    },
    ...problemResponses(400, 401, 403),
  },
})

export const restoreArchived = createRoute({
  method: 'post',
  path: '/v1/admin/archive/{id}/restore',
  tags: ['Administration'],
  summary: 'Put an archived instrument back in the catalogue',
  description:
    'Restores the full record with its version incremented and an audit event `restored`. The resulting deadline must not have passed (422): send a new one to reopen a recurring call.',
  security: bearerSecurity,
  middleware: [requireRole('admin')] as const,
  request: {
    params: IdParams,
    body: { required: false, content: { 'application/json': { schema: RestoreBody } } },
  },
  responses: {
    200: {
      description: 'Restored',
      headers: ETagHeader,
      content: { 'application/json': { schema: Instrument } },
    },
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422, 503),
  },
})
