import { DomainError } from '../catalogue/errors'

/** Too many requests in a window; `retryAfterSeconds` is when the window ends. */
export class RateLimited extends DomainError {
  constructor(
    readonly limit: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`Too many subscription requests (${limit}). Try again in ${retryAfterSeconds} seconds.`)
  }
}

/** A confirmation link that does not (or no longer) name a pending or confirmed subscription. */
export class InvalidSubscriptionLink extends DomainError {
  constructor() {
    super(
      'This link is not valid: it may have expired (confirmation links last 7 days) or already been used.',
    )
  }
}

/** No mail transport is configured (MAIL_TRANSPORT / SMTP_URL), so nothing can be confirmed by email. */
export class MailUnavailable extends DomainError {
  constructor(reason: string) {
    super(`Email cannot be sent right now: ${reason}`)
  }
}

/**
 * No watch with this id on this project of the caller's organisation. A search subscription, another
 * project's watch or another organisation's is indistinguishable from one that never existed.
 */
export class ProjectWatchNotFound extends DomainError {
  /** `id` is kept for the caller, not echoed: the web path may carry anything, at any length. */
  constructor(readonly id: string) {
    super('No such watch on this project.')
  }
}

/** The address is not suppressed (never bounced or complained, or already lifted). */
export class AddressNotSuppressed extends DomainError {
  constructor() {
    super('This address is not suppressed: nothing to lift.')
  }
}
