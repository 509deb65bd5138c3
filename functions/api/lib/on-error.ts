import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import {
  BusinessRuleViolation,
  DuplicateExternalId,
  InstrumentAlreadyLive,
  InstrumentGone,
  InstrumentNotFound,
  VersionConflict,
  WriteContention,
} from '../../../shared/catalogue/errors'
import { AuthenticationError } from '../../../shared/platform/auth'
import { InvalidCursor } from '../../../shared/platform/cursor'
import {
  ImportConflict,
  ProjectNotFound,
  ProjectVersionConflict,
} from '../../../shared/portfolio/project-errors'
import { ImportInvalid } from '../../../shared/portfolio/project-import'
import { Problem, problems } from './problem'
import type { AppEnv } from './types'

/** Domain errors and framework exceptions, as problems. Anything unexpected is a logged 500. */
export function toProblem(error: unknown): Problem | undefined {
  if (error instanceof Problem) return error
  if (error instanceof InstrumentNotFound) return problems.notFound(error.message)
  if (error instanceof ProjectNotFound) return problems.notFound(error.message)
  if (error instanceof ProjectVersionConflict) return problems.preconditionFailed(error.message)
  if (error instanceof ImportConflict) return problems.conflict(error.message)
  if (error instanceof ImportInvalid) return problems.validation(error.message, error.errors)
  if (error instanceof InstrumentGone) return problems.gone(error.message)
  if (error instanceof VersionConflict) return problems.preconditionFailed(error.message)
  if (error instanceof DuplicateExternalId) return problems.conflict(error.message)
  if (error instanceof InstrumentAlreadyLive) return problems.conflict(error.message)
  if (error instanceof BusinessRuleViolation) return problems.unprocessable(error.message, error.errors)
  if (error instanceof InvalidCursor)
    return problems.validation(error.message, [{ path: 'cursor', message: error.message }])
  if (error instanceof AuthenticationError) return problems.unauthorized(error.message)
  if (error instanceof WriteContention) {
    const problem = problems.unavailable(error.message)
    problem.headers['Retry-After'] = '1'
    return problem
  }
  if (error instanceof HTTPException) {
    if (error.status === 413)
      return problems.payloadTooLarge('The request body is larger than this API accepts.')
    if (error.status === 400 && /json/i.test(error.message)) return problems.malformedJson()
    if (error.status < 500)
      return new Problem(error.status, 'http', 'Bad request', error.message || 'Bad request')
  }
  return undefined
}

export function problemResponse(c: Context<AppEnv>, problem: Problem): Response {
  const body = { ...problem.toJSON(), instance: c.req.path, requestId: c.var.requestId }
  return new Response(JSON.stringify(body), {
    status: problem.status,
    headers: {
      'Content-Type': 'application/problem+json',
      'Cache-Control': 'no-store',
      ...(c.var.requestId ? { 'X-Request-Id': c.var.requestId } : {}),
      ...problem.headers,
    },
  })
}

export function onError(error: Error, c: Context<AppEnv>): Response {
  const problem = toProblem(error)
  if (problem) return problemResponse(c, problem)
  c.var.deps?.logger.error('unhandled error', {
    requestId: c.var.requestId,
    method: c.req.method,
    path: c.req.path,
    error: error.name,
    detail: error.message,
    stack: error.stack,
  })
  return problemResponse(c, problems.internal())
}
