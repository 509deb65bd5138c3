import { createRoute, z } from '@hono/zod-openapi'
import { ProjectId } from '../../../../shared/portfolio/project'
import { EmailAddress } from '../../../../shared/subscriptions/email-address'
import {
  FREQUENCIES,
  ProjectWatchRequest,
  SearchSubscriptionRequest,
  WatchId,
} from '../../../../shared/subscriptions/subscription'
import { isWellFormedToken } from '../../../../shared/subscriptions/tokens'
import { requireJson, requireRole } from '../../lib/middleware'
import { bearerSecurity, problemResponses } from '../../lib/openapi'
import { requireOrganisation } from '../projects/require-organisation'

const RetryAfterHeader = {
  'Retry-After': { description: 'Seconds until the limit resets', schema: { type: 'integer' as const } },
}

/** 429 (with `Retry-After`) and 503 carry a header besides the problem body. */
const limitedResponses = () => {
  const { 429: tooMany, 503: unavailable } = problemResponses(429, 503)
  return {
    429: { ...tooMany, headers: RetryAfterHeader },
    503: {
      ...unavailable,
      description: 'Email cannot be sent right now (no mail transport, or the mail server refused)',
      headers: RetryAfterHeader,
    },
  }
}

const Accepted = z.object({ status: z.literal('pending-confirmation') }).meta({ id: 'SubscriptionAccepted' })

const accepted = {
  202: {
    description:
      'Always the same answer, whether or not the address already subscribes (nobody can learn that from it). A confirmation email follows; an address that already subscribes gets a note instead, a suppressed (bounced) one nothing.',
    content: { 'application/json': { schema: Accepted } },
  },
}

const TokenBody = z
  .strictObject({
    token: z
      .string()
      .refine(isWellFormedToken, 'must be the token of the link in the email')
      .meta({ description: 'The `token` parameter of the link in the email' }),
  })
  .meta({ id: 'SubscriptionToken' })

const ProjectParam = ProjectId.meta({
  param: { name: 'id', in: 'path' },
  example: '01jd3x9q4v6n7p8r9s0t1v2w3x',
})

const LIMITS_NOTE =
  'At most 10 valid subscription requests per client per hour and 3 per address per day (429 with `Retry-After` beyond); an invalid request counts against neither.'

export const createSubscription = createRoute({
  method: 'post',
  path: '/v1/subscriptions',
  tags: ['Subscriptions'],
  summary: 'Save a search: email digests of new matching calls',
  description: `Sends a confirmation email (double opt-in); digests start once its link is confirmed, and each digest has a one-click unsubscribe. \`query\` is validated exactly like \`GET /v1/instruments\`. Unconfirmed requests are deleted after 7 days. ${LIMITS_NOTE}`,
  middleware: [requireJson()] as const,
  request: {
    body: { required: true, content: { 'application/json': { schema: SearchSubscriptionRequest } } },
  },
  responses: { ...accepted, ...problemResponses(400, 413, 415), ...limitedResponses() },
})

export const watchProject = createRoute({
  method: 'post',
  path: '/v1/projects/{id}/subscriptions',
  tags: ['Subscriptions'],
  summary: 'Watch one of your projects: email digests of new matching calls',
  description: `Digests list the live instruments that newly match the project, and those closing within 7 days. They match the project's features where it can be funded, as its page shows: its own country and the international instruments (a project without a country: every country), unless \`country\` names others; the other optional filters of \`GET /v1/projects/{id}/matches\` narrow that. Same organisation only: another organisation's project is a 404. A confirmation email goes to \`email\` first (double opt-in). If the project is deleted, the watch ends with a last short note. ${LIMITS_NOTE}`,
  security: bearerSecurity,
  middleware: [requireRole('editor'), requireOrganisation(), requireJson()] as const,
  request: {
    params: z.object({ id: ProjectParam }),
    body: { required: true, content: { 'application/json': { schema: ProjectWatchRequest } } },
  },
  responses: { ...accepted, ...problemResponses(400, 401, 403, 404, 413, 415), ...limitedResponses() },
})

const ProjectWatch = z
  .object({
    id: z.string().meta({
      description:
        "The watch's own random id, what `DELETE` takes (not derived from the address, unlike the subscription's id, which is never shown)",
      example: 'u5QdXb2Yk0Zr8w1V3n7sTg',
    }),
    email: z.string().meta({
      description: 'The address, masked: the organisation sees who, never the full address',
      example: 'l***@acme.example',
    }),
    frequency: z.enum(FREQUENCIES),
    consentAt: z.iso.datetime().meta({ description: 'When the watch was requested' }),
    confirmedAt: z.iso.datetime().meta({ description: 'When its recipient confirmed it' }),
  })
  .meta({ id: 'ProjectWatch' })

export const listProjectWatches = createRoute({
  method: 'get',
  path: '/v1/projects/{id}/subscriptions',
  tags: ['Subscriptions'],
  summary: 'The watches of one of your projects (addresses masked)',
  description:
    "Who receives digests about the project, oldest first: the organisation can see, and end, every watch of its projects. Confirmed watches only: a pending request is not a watch yet (no digest goes out until its recipient confirms; unconfirmed, it is gone after 7 days), so asking for a watch never changes this list by itself. Addresses are masked (nobody sees addresses in bulk), and each watch is known by an id of its own, never one derived from the address. Same organisation only: another organisation's project is a 404.",
  security: bearerSecurity,
  middleware: [requireRole('editor'), requireOrganisation()] as const,
  request: { params: z.object({ id: ProjectParam }) },
  responses: {
    200: {
      description: "The project's watches",
      content: {
        'application/json': {
          schema: z.object({ items: z.array(ProjectWatch) }).meta({ id: 'ProjectWatchList' }),
        },
      },
    },
    ...problemResponses(400, 401, 403, 404),
  },
})

export const endProjectWatch = createRoute({
  method: 'delete',
  path: '/v1/projects/{id}/subscriptions/{watchId}',
  tags: ['Subscriptions'],
  summary: 'End a watch of one of your projects',
  description:
    "`watchId` is the `id` the list gives. Deletes the subscription and everything kept for it, as unsubscribing does, and sends the recipient a short last note (best effort: not to a suppressed address, and the watch stays ended if the note cannot be sent); who ended it is logged. For a member who left, or anyone who should no longer hear of the project. 404 for an unknown id, a pending request, a watch of another project, or another organisation's project.",
  security: bearerSecurity,
  middleware: [requireRole('editor'), requireOrganisation()] as const,
  request: {
    params: z.object({
      id: ProjectParam,
      watchId: WatchId.meta({ param: { name: 'watchId', in: 'path' }, example: 'u5QdXb2Yk0Zr8w1V3n7sTg' }),
    }),
  },
  responses: {
    204: { description: 'Ended: no more digests; a last note goes to the recipient' },
    ...problemResponses(400, 401, 403, 404),
  },
})

export const confirmSubscription = createRoute({
  method: 'post',
  path: '/v1/subscriptions/confirm',
  tags: ['Subscriptions'],
  summary: 'Confirm a subscription with the token of its confirmation email',
  description:
    'What the button of the page `/subscriptions/confirm?token=...` does. Idempotent. 404 when the link is unknown or older than 7 days.',
  middleware: [requireJson()] as const,
  request: { body: { required: true, content: { 'application/json': { schema: TokenBody } } } },
  responses: {
    200: {
      description: 'Confirmed (or already confirmed)',
      content: {
        'application/json': {
          schema: z
            .object({
              status: z.literal('confirmed'),
              frequency: z.enum(FREQUENCIES),
              firstDigestAt: z.iso.datetime().meta({ description: 'When the first digest is due' }),
            })
            .meta({ id: 'SubscriptionConfirmed' }),
        },
      },
    },
    ...problemResponses(400, 404, 413, 415),
  },
})

export const changeFrequency = createRoute({
  method: 'post',
  path: '/v1/subscriptions/frequency',
  tags: ['Subscriptions'],
  summary:
    'Receive a confirmed subscription’s digests daily or weekly, with the token of its unsubscribe link',
  description:
    'What the second button of the page `/subscriptions/unsubscribe?token=...` does: the link every digest carries proves the mailbox. From the next slot of the new frequency on; the next digest reports everything since the last one, so nothing is lost or sent twice. Idempotent. 404 when the link is unknown, expired, or its subscription is not confirmed.',
  middleware: [requireJson()] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: TokenBody.extend({ frequency: z.enum(FREQUENCIES) }).meta({ id: 'FrequencyChange' }),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'The frequency now in force (`unchanged` when it already was)',
      content: {
        'application/json': {
          schema: z
            .object({
              status: z.enum(['changed', 'unchanged']),
              frequency: z.enum(FREQUENCIES),
              nextDigestAt: z.iso.datetime().meta({ description: 'When the next digest is due' }),
            })
            .meta({ id: 'FrequencyChanged' }),
        },
      },
    },
    ...problemResponses(400, 404, 413, 415),
  },
})

export const unsubscribe = createRoute({
  method: 'post',
  path: '/v1/subscriptions/unsubscribe',
  tags: ['Subscriptions'],
  summary: 'End a subscription with the token of a digest’s unsubscribe link',
  description:
    'Deletes the subscription and everything kept for it. Idempotent: a link whose subscription has already ended answers the same. Mail clients use the one-click form instead (RFC 8058): `POST /subscriptions/unsubscribe?token=...` with the body `List-Unsubscribe=One-Click`.',
  middleware: [requireJson()] as const,
  request: { body: { required: true, content: { 'application/json': { schema: TokenBody } } } },
  responses: {
    200: {
      description: 'Unsubscribed',
      content: {
        'application/json': {
          schema: z.object({ status: z.literal('unsubscribed') }).meta({ id: 'SubscriptionEnded' }),
        },
      },
    },
    ...problemResponses(400, 413, 415),
  },
})

const Count = z.number().int()
const Activity = z.object({
  requested: Count,
  confirmed: Count,
  unsubscribed: Count,
  suppressed: Count.meta({ description: 'Addresses suppressed after a bounce or complaint' }),
  digestsSent: Count,
  endedNotes: Count.meta({
    description: 'Last notes of watches whose project was deleted or whose search broke',
  }),
})

export const subscriptionStats = createRoute({
  method: 'get',
  path: '/v1/admin/subscriptions/stats',
  tags: ['Administration'],
  summary: 'Subscription counts (never addresses)',
  security: bearerSecurity,
  middleware: [requireRole('admin')] as const,
  responses: {
    200: {
      description: 'Confirmed subscriptions now, and activity over the last 7 days (Brussels days)',
      content: {
        'application/json': {
          schema: z
            .object({
              confirmed: z.object({
                total: Count,
                daily: Count,
                weekly: Count,
                searches: Count,
                projects: Count,
              }),
              last7Days: Activity,
              days: z.array(Activity.extend({ day: z.iso.date() })),
            })
            .meta({ id: 'SubscriptionStats' }),
        },
      },
    },
    ...problemResponses(401, 403),
  },
})

export const liftSuppression = createRoute({
  method: 'post',
  path: '/v1/admin/subscriptions/suppressions/lift',
  tags: ['Administration'],
  summary: 'Lift the suppression of an address that bounced or complained',
  description:
    "An address whose mail bounced permanently, or whose owner marked a digest as spam, is never mailed again and its requests are quietly ignored. Lift that at the owner's word (a mailbox that exists again, a complaint made by mistake): the address may then ask for digests and confirm them like anyone; nothing is resubscribed by this. Logged with who lifted it. In AWS, SES keeps an account-level suppression list of its own: remove the address there too (`aws sesv2 delete-suppressed-destination`).",
  security: bearerSecurity,
  middleware: [requireRole('admin'), requireJson()] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .strictObject({
              email: EmailAddress.meta({ description: 'The suppressed address, as its owner gives it' }),
            })
            .meta({ id: 'SuppressionLift' }),
        },
      },
    },
  },
  responses: {
    200: {
      description: 'Lifted: what the suppression was',
      content: {
        'application/json': {
          schema: z
            .object({
              reason: z
                .enum(['bounce', 'complaint'])
                .meta({ description: 'A permanent bounce or a complaint, as SES reported it' }),
              suppressedAt: z.iso.datetime().meta({ description: 'When SES reported it' }),
            })
            .meta({ id: 'LiftedSuppression' }),
        },
      },
    },
    ...problemResponses(400, 401, 403, 404, 413, 415),
  },
})
