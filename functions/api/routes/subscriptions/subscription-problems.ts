import type { Context } from 'hono'
import {
  InvalidSubscriptionLink,
  MailUnavailable,
  RateLimited,
} from '../../../../shared/subscriptions/errors'
import { Problem, problems } from '../../lib/problem'
import type { AppEnv } from '../../lib/types'

/**
 * The subscriptions' domain errors as problems. Kept beside the routes that raise them (the shared
 * `toProblem` maps the catalogue's and portfolio's), and used by the web pages' handlers as well.
 */
export function subscriptionProblem(error: unknown): Problem | undefined {
  if (error instanceof RateLimited) {
    return new Problem(429, 'too-many-requests', 'Too many requests', error.message, undefined, {
      'Retry-After': String(error.retryAfterSeconds),
    })
  }
  if (error instanceof InvalidSubscriptionLink) return problems.notFound(error.message)
  if (error instanceof MailUnavailable) {
    const problem = problems.unavailable(error.message)
    problem.headers['Retry-After'] = '60'
    return problem
  }
  return undefined
}

/** Runs `work`, turning the subscriptions' domain errors into problems (others pass through). */
export async function orProblem<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw subscriptionProblem(error) ?? error
  }
}

/**
 * The network address of the caller: API Gateway's `sourceIp` in Lambda, the socket's peer under
 * `npm start`. Never a header a client can set. Requests without either (tests calling
 * `app.request`) share one bucket.
 */
export function clientAddress(c: Context<AppEnv>): string {
  const env = c.env as
    | {
        requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string } }
        incoming?: { socket?: { remoteAddress?: string } }
      }
    | undefined
  return (
    env?.requestContext?.http?.sourceIp ??
    env?.requestContext?.identity?.sourceIp ??
    env?.incoming?.socket?.remoteAddress ??
    'unknown'
  )
}
