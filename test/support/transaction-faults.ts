import { TransactionCanceledException } from '@aws-sdk/client-dynamodb'
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb'
import { keys } from '../../shared/platform/table'

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>

/**
 * What DynamoDB answers a transaction with: `TransactionConflict` (another transaction holds the
 * catalogue-version item), `ThrottlingError` (a cancelled, throttled transaction), or a plain
 * `ThrottlingException` (a request the SDK kept being throttled on and gave up re-sending).
 */
export type TransactionFault = 'TransactionConflict' | 'ThrottlingError' | 'ThrottlingException'

/**
 * Counts every TransactWriteItems sent through `client` and answers those that `faultOf` picks as
 * DynamoDB would, instead of sending them. It sits in front of the SDK's own retries, which never
 * re-send a cancelled transaction, so every count is one attempt by the code under test.
 * `faultOf` is told the transaction's items and how many transactions have been sent, this one included.
 */
export function interceptTransactions(
  client: DynamoDBDocumentClient,
  faultOf: (items: TransactItems, sent: number) => TransactionFault | undefined,
) {
  const sent: TransactItems[] = []
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!/^TransactWrite/.test(context.commandName ?? '')) return next(args)
      const items = (args.input as TransactWriteCommandInput).TransactItems ?? []
      sent.push(items)
      const fault = faultOf(items, sent.length)
      if (!fault) return next(args)
      if (fault === 'ThrottlingException') {
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
          name: 'ThrottlingException',
          $metadata: { httpStatusCode: 400 },
        })
      }
      throw new TransactionCanceledException({
        message: `Transaction cancelled, please refer cancellation reasons for specific reasons`,
        $metadata: { httpStatusCode: 400 },
        // One reason per item, in order; the fault is on the catalogue-version update.
        CancellationReasons: items.map((item) => ({ Code: item.Update ? fault : 'None' })),
      })
    },
    { step: 'initialize', name: 'interceptTransactions' },
  )
  return {
    /** Every transaction sent, refused or not. */
    sent,
    /** How many transactions wrote the live item of the instrument `id`. */
    attemptsOn: (id: string) => sent.filter((items) => touchesLive(items, id)).length,
  }
}

/** Whether a transaction writes (puts or deletes) the live item of the instrument `id`. */
export function touchesLive(items: TransactItems, id: string): boolean {
  const live = keys.live(id)
  const isLive = (key: Record<string, unknown> | undefined) => key?.pk === live.pk && key?.sk === live.sk
  return items.some((item) => isLive(item.Delete?.Key) || isLive(item.Put?.Item))
}
