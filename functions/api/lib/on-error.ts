import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { ImportFileError, ImportTooLarge } from '../../../shared/catalogue/csv/layout'
import {
  BusinessRuleViolation,
  DuplicateExternalId,
  InstrumentAlreadyLive,
  InstrumentGone,
  InstrumentNotFound,
  OutsideEditorCountries,
  VersionConflict,
  WriteContention,
} from '../../../shared/catalogue/errors'
import { ImportJobNotFound, ImportQueueUnavailable } from '../../../shared/catalogue/imports/import-jobs'
import {
  ImportRejected,
  ImportRolledBack,
  MalformedJsonFile,
  recordFieldErrors,
} from '../../../shared/catalogue/imports/import-report'
import { AuthenticationError } from '../../../shared/platform/auth'
import { InvalidCursor } from '../../../shared/platform/cursor'
import { isThrottled, isWriteConflict } from '../../../shared/platform/dynamodb'
import type { Logger } from '../../../shared/platform/logger'
import {
  ImportConflict,
  ProjectNotFound,
  ProjectVersionConflict,
} from '../../../shared/portfolio/project-errors'
import { ImportInvalid } from '../../../shared/portfolio/project-import'
import {
  AddressNotSuppressed,
  InvalidSubscriptionLink,
  MailUnavailable,
  ProjectWatchNotFound,
  RateLimited,
} from '../../../shared/subscriptions/errors'
import { Problem, problems } from './problem'
import type { AppEnv } from './types'

/**
 * The one mapping from errors to HTTP: domain errors, framework exceptions and problems thrown by
 * the HTTP layer itself. The API sends the result as problem+json (`onError`), the web pages render
 * it as a page (`onWebError`, functions/web/web-router.tsx), and a page that re-shows its form after a failed save
 * decides from the same result (`toProblem(error).status === 412`). Anything unmapped is a 500.
 */
export function toProblem(error: unknown): Problem {
  return knownProblem(error) ?? problems.internal()
}

function knownProblem(error: unknown): Problem | undefined {
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
  if (error instanceof OutsideEditorCountries) return problems.forbidden(error.message)
  if (error instanceof InvalidCursor)
    return problems.validation(error.message, [{ path: 'cursor', message: error.message }])
  if (error instanceof AuthenticationError) return problems.unauthorized(error.message)
  if (error instanceof ImportTooLarge) return problems.payloadTooLarge(error.message)
  if (error instanceof MalformedJsonFile) return problems.malformedJson()
  if (error instanceof ImportJobNotFound) return problems.notFound(error.message)
  if (error instanceof ImportQueueUnavailable) return problems.unavailable(error.message, 5)
  if (error instanceof ImportFileError) {
    return problems.validation(
      error.message,
      error.errors.length > 0 ? error.errors : [{ path: 'body', message: error.message }],
    )
  }
  if (error instanceof ImportRejected) {
    return problems.unprocessable(error.message, recordFieldErrors(error.report.records))
  }
  if (error instanceof ImportRolledBack) {
    return new Problem(409, 'import-rolled-back', 'Import undone', error.message, [
      ...recordFieldErrors(error.causes),
      ...error.notUndone.map((id) => ({ path: id, message: 'changed concurrently; could not be restored' })),
    ])
  }
  if (error instanceof RateLimited) {
    return new Problem(429, 'too-many-requests', 'Too many requests', error.message, undefined, {
      'Retry-After': String(error.retryAfterSeconds),
    })
  }
  if (error instanceof InvalidSubscriptionLink) return problems.notFound(error.message)
  if (error instanceof ProjectWatchNotFound) return problems.notFound(error.message)
  if (error instanceof AddressNotSuppressed) return problems.notFound(error.message)
  if (error instanceof MailUnavailable) return problems.unavailable(error.message, 60)
  if (error instanceof WriteContention) return problems.unavailable(error.message, 1)
  // Two writes met on one item (an unsubscribe during its digest's bookkeeping, say): nothing was
  // written by this request, and trying again at once succeeds. Not a bug, so not a 500.
  if (isWriteConflict(error)) {
    return problems.unavailable('Another change to the same data was being made. Try again.', 1)
  }
  if (isThrottled(error)) {
    return problems.unavailable('The data store is busy right now. Try again in a moment.', 2)
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

/** What error handling reads from a request, the API's and the web pages' alike. */
interface FailedRequest {
  req: { method: string; path: string }
  var: { requestId?: string; deps?: { logger: Logger } }
}

/**
 * `toProblem`, and for an error nothing maps (a bug or an outage) one log line with its stack, the
 * only place such errors are logged. The client sees the generic 500 problem, never the stack.
 */
export function problemFor(c: FailedRequest, error: Error): Problem {
  const problem = knownProblem(error)
  if (problem) return problem
  c.var.deps?.logger.error('unhandled error', {
    requestId: c.var.requestId,
    method: c.req.method,
    path: c.req.path,
    error: error.name,
    detail: error.message,
    stack: error.stack,
  })
  return problems.internal()
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
  return problemResponse(c, problemFor(c, error))
}
