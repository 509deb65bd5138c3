import { TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb'
import { describe, expect, it } from 'vitest'
import { toProblem } from '../../functions/api/lib/on-error'

const meta = { $metadata: { httpStatusCode: 400 } }
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
    ...meta,
    CancellationReasons: codes.map((Code) => ({ Code })),
  })

describe('writes that meet another transaction', () => {
  it('are a 503 to retry at once: a single write that met one, or a transaction cancelled for it', () => {
    for (const error of [
      new TransactionConflictException({ message: 'Transaction is ongoing for the item', ...meta }),
      cancelled('None', 'TransactionConflict'),
    ]) {
      const problem = toProblem(error)
      expect(problem.status, error.name).toBe(503)
      expect(problem.headers).toEqual({ 'Retry-After': '1' })
      expect(problem.detail).toMatch(/try again/i)
    }
  })

  it('are not said to be one when a condition failed too: the caller had a domain answer to give', () => {
    expect(toProblem(cancelled('ConditionalCheckFailed', 'TransactionConflict')).status).toBe(500)
  })
})

describe('requests DynamoDB throttled past the SDK retries', () => {
  it('are a 503 to retry in a moment, whether a single request or a transaction cancelled for it', () => {
    const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
      name: 'ThrottlingException',
    })
    for (const error of [throttled, cancelled('None', 'ThrottlingError')]) {
      const problem = toProblem(error)
      expect(problem.status, error.name).toBe(503)
      expect(problem.headers).toEqual({ 'Retry-After': '2' })
    }
    expect(toProblem(cancelled('ConditionalCheckFailed', 'ThrottlingError')).status).toBe(500)
  })
})
