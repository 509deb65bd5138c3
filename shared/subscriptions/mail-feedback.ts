import type { Logger } from '../platform/logger'
import { brusselsDate, type Clock } from '../platform/time'
import { addressHash, normaliseEmailAddress } from './email-address'
import type { SubscriptionStore } from './store/subscription-store'

/**
 * Bounces and complaints, as Amazon SES reports them (through the configuration set's SNS event
 * destination, or an identity's feedback notifications: the two differ only in `eventType` versus
 * `notificationType`). A permanent bounce or any complaint suppresses the address (its hash is
 * kept, so it is never mailed again, even if someone subscribes it anew) and deletes every
 * subscription it has. Transient bounces (a full mailbox) change nothing: SES retries those.
 */
export interface MailFeedback {
  kind: 'bounce' | 'complaint'
  addresses: string[]
}

interface SesNotification {
  eventType?: string
  notificationType?: string
  bounce?: { bounceType?: string; bouncedRecipients?: { emailAddress?: string }[] }
  complaint?: { complainedRecipients?: { emailAddress?: string }[] }
}

/** The addresses to suppress in one SES notification; undefined when it asks for nothing. */
export function parseMailFeedback(notification: unknown): MailFeedback | undefined {
  if (typeof notification !== 'object' || notification === null) return undefined
  const message = notification as SesNotification
  const type = message.eventType ?? message.notificationType
  const addressesOf = (recipients: { emailAddress?: string }[] | undefined) =>
    (recipients ?? []).flatMap((recipient) => {
      // SES may report `Name <address>`; only the address matters.
      const raw = /<([^>]*)>\s*$/.exec(recipient.emailAddress ?? '')?.[1] ?? recipient.emailAddress ?? ''
      const check = normaliseEmailAddress(raw)
      return check.ok ? [check.address] : []
    })
  if (type === 'Bounce' && message.bounce?.bounceType === 'Permanent') {
    return { kind: 'bounce', addresses: addressesOf(message.bounce.bouncedRecipients) }
  }
  if (type === 'Complaint') {
    return { kind: 'complaint', addresses: addressesOf(message.complaint?.complainedRecipients) }
  }
  return undefined
}

export interface FeedbackDeps {
  subscriptionStore: SubscriptionStore
  clock: Clock
  logger: Logger
}

/** Applies one notification; returns how many addresses were suppressed and subscriptions deleted. */
export async function applyMailFeedback(
  deps: FeedbackDeps,
  notification: unknown,
): Promise<{ suppressed: number; deleted: number }> {
  const feedback = parseMailFeedback(notification)
  if (!feedback) return { suppressed: 0, deleted: 0 }
  const now = deps.clock.now()
  let deleted = 0
  for (const address of feedback.addresses) {
    const hash = addressHash(address)
    await deps.subscriptionStore.suppress(hash, feedback.kind, now)
    for (const id of await deps.subscriptionStore.idsByAddress(hash)) {
      if (await deps.subscriptionStore.delete(id)) deleted += 1
    }
  }
  if (feedback.addresses.length > 0) {
    await deps.subscriptionStore.recordActivity(brusselsDate(now), { suppressed: feedback.addresses.length })
  }
  deps.logger.info('mail feedback applied', {
    kind: feedback.kind,
    addresses: feedback.addresses.length,
    deletedSubscriptions: deleted,
  })
  return { suppressed: feedback.addresses.length, deleted }
}
