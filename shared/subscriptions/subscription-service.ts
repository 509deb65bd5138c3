import type { LiveCatalogue } from '../catalogue/search/live-catalogue'
import { rankHits } from '../catalogue/search/search-instruments'
import type { Config } from '../platform/config'
import type { Logger } from '../platform/logger'
import { subscriptionKeys } from '../platform/table'
import { brusselsDate, type Clock } from '../platform/time'
import type { ProjectRecord } from '../portfolio/project'
import { ProjectNotFound } from '../portfolio/project-errors'
import type { ProjectStore } from '../portfolio/project-store'
import { addressHash, maskAddress, withoutAddresses } from './email-address'
import {
  AddressNotSuppressed,
  InvalidSubscriptionLink,
  MailUnavailable,
  ProjectWatchNotFound,
} from './errors'
import type { Mailer } from './mail/mailer'
import {
  alreadySubscribedEmail,
  confirmationEmail,
  projectWatchEndedByOrganisationEmail,
} from './mail/messages'
import { clientPartition, type RateLimiter, SUBSCRIPTION_RATE_LIMITS } from './rate-limits'
import { addDays, firstDueAt } from './schedule'
import { subscriptionSource } from './source'
import {
  ACTIVITY_COUNTERS,
  type ActivityCounts,
  type ConfirmedCounts,
  type SubscriptionStore,
  type Suppression,
} from './store/subscription-store'
import { criteriaFingerprint, subjectCriteria } from './subject-criteria'
import type {
  Frequency,
  ProjectWatchRequest,
  SearchSubscriptionRequest,
  SubscriptionRecord,
  SubscriptionSubject,
} from './subscription'
import { isConfirmedWatchOf, MAX_KNOWN, subscriptionId } from './subscription'
import { issueToken, parseToken, type TokenPurpose } from './tokens'

/** The pages the links in emails open (server-rendered by the web layer; a GET never changes anything). */
export const CONFIRM_PAGE_PATH = '/subscriptions/confirm'
export const UNSUBSCRIBE_PAGE_PATH = '/subscriptions/unsubscribe'

/** Unconfirmed requests (and their confirmation links) are forgotten after this long. */
export const PENDING_DAYS = 7
/** How long the unsubscribe link of one email keeps working. */
export const UNSUBSCRIBE_LINK_DAYS = 366

const DAY_SECONDS = 86_400

export interface SubscriptionServiceDeps {
  subscriptionStore: SubscriptionStore
  rateLimiter: RateLimiter
  projects: Pick<ProjectStore, 'get'>
  /** What matches at confirmation is what the subscriber has just seen: the digest's baseline. */
  catalogue: Pick<LiveCatalogue, 'current' | 'stats'>
  mailer: Mailer
  clock: Clock
  logger: Logger
  config: Pick<Config, 'publicBaseUrl'>
}

/** What a confirmation or unsubscribe page shows for the token in its link. Read-only. */
export interface SubscriptionLinkView {
  /** What the link was sent for. */
  purpose: TokenPurpose
  state: 'pending' | 'confirmed'
  /** The address, masked (`a***@example.org`). */
  email: string
  frequency: Frequency
  /** "your saved search: ..." or "your watch on the project “...”". */
  description: string
  /** A link back to the search or the project. */
  link: { href: string; text: string }
  subject: { kind: 'search'; query: string } | { kind: 'project'; projectName: string }
  consentAt: string
  confirmedAt?: string | undefined
}

/**
 * A confirmed watch of a project, as its organisation sees it: who in masked form only, since the
 * README promises that nobody sees addresses in bulk, and the recipient is told when the watch is
 * ended. Known by its random watch id, never by its subscription id (derived from the address, it
 * would let a guessed address be checked offline).
 */
export interface ProjectWatchView {
  /** The watch id: what ending the watch takes. */
  id: string
  /** The address, masked (`l***@acme.example`). */
  email: string
  frequency: Frequency
  consentAt: string
  confirmedAt: string
}

export interface SubscriptionStats {
  confirmed: ConfirmedCounts
  /** Totals over the last 7 Brussels days, today included. */
  last7Days: ActivityCounts
  days: ({ day: string } & ActivityCounts)[]
}

/**
 * Subscriptions with double opt-in: the request (rate-limited, never telling whether the address is
 * known), the confirmation, the one-click unsubscribe, and what the pages show. Everything the API
 * routes and the web pages do with subscriptions goes through here.
 */
export class SubscriptionService {
  constructor(private readonly deps: SubscriptionServiceDeps) {}

  /**
   * Saves a search for digests: sends a confirmation email (see `request`). `clientAddress` is the
   * caller's network address, for the per-client limit.
   */
  async requestSearchDigest(request: SearchSubscriptionRequest, clientAddress: string): Promise<void> {
    await this.request(request.email, request.frequency, clientAddress, {
      kind: 'search',
      query: request.query,
    })
  }

  /** Watches a project of `org` (ProjectNotFound otherwise): sends a confirmation email. */
  async requestProjectWatch(
    org: string,
    projectId: string,
    request: ProjectWatchRequest,
    clientAddress: string,
  ): Promise<void> {
    const project = await this.deps.projects.get(org, projectId)
    if (!project) throw new ProjectNotFound(projectId)
    const { email, frequency, ...filters } = request
    await this.request(email, frequency, clientAddress, {
      kind: 'project',
      org,
      projectId,
      projectName: project.name,
      filters: Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined)),
    })
  }

  /**
   * The confirmed watches of a project of `org` (ProjectNotFound otherwise), addresses masked.
   * A pending request is not a watch yet (no digest goes out for it) and is not listed: listing it
   * would also tell an editor who requests a watch for a guessed address whether that address
   * already watches (a confirmed one adds no row). Read-only, but for the one-off watch id of a
   * watch confirmed before watch ids existed.
   */
  async projectWatches(org: string, projectId: string): Promise<ProjectWatchView[]> {
    const project = await this.deps.projects.get(org, projectId)
    if (!project) throw new ProjectNotFound(projectId)
    return this.watchesOfProject(org, project)
  }

  /** `projectWatches` of a project just read for `org` by the caller (the project page): no second read. */
  async watchesOfProject(org: string, project: Pick<ProjectRecord, 'id'>): Promise<ProjectWatchView[]> {
    const watches = await this.deps.subscriptionStore.projectWatches(org, project.id)
    return watches.map(({ watchId, record }) => ({
      id: watchId,
      email: maskAddress(record.email),
      frequency: record.frequency,
      consentAt: record.consentAt,
      confirmedAt: record.confirmedAt ?? record.consentAt,
    }))
  }

  /**
   * Ends a watch of a project of `org`: the organisation decides who keeps hearing of its private
   * projects (someone who left it, above all), without needing the recipient's unsubscribe link.
   * `watchId` is the id `projectWatches` lists. Deletes the subscription and everything kept for it,
   * logs who ended it (`endedBy`, the caller's name, as every write names its actor; never the
   * address), then tells the recipient in a last short note. The note is best effort: the watch
   * stays ended if it cannot be sent. ProjectNotFound for a project not of `org`;
   * ProjectWatchNotFound for anything but a confirmed watch of it (a pending request is not listed,
   * so it is not ended here either).
   */
  async endProjectWatch(org: string, projectId: string, watchId: string, endedBy: string): Promise<void> {
    const { projects, subscriptionStore, logger } = this.deps
    const project = await projects.get(org, projectId)
    if (!project) throw new ProjectNotFound(projectId)
    const id = await subscriptionStore.findProjectWatch(org, projectId, watchId)
    const record = id ? await subscriptionStore.get(id) : undefined
    if (!record || !isConfirmedWatchOf(record, org, projectId)) throw new ProjectWatchNotFound(watchId)
    // Ended concurrently (unsubscribed, bounced): nothing was ended here, and nobody is to be told.
    if (!(await subscriptionStore.delete(record.id))) throw new ProjectWatchNotFound(watchId)
    logger.info('project watch ended by its organisation', {
      org,
      projectId,
      watchId,
      subscription: record.id,
      endedBy,
    })
    if (await subscriptionStore.isSuppressed(record.addressHash)) return
    try {
      await this.deps.mailer.send(
        projectWatchEndedByOrganisationEmail({ to: record.email, projectName: project.name }),
      )
    } catch (error) {
      logger.warn('note of an ended project watch not sent', {
        subscription: record.id,
        to: maskAddress(record.email),
        error: withoutAddresses((error as Error).message, [record.email]),
      })
    }
  }

  /**
   * The same outcome for the caller whatever the address's state, so that nobody can learn whether
   * an address subscribes: new or pending -> a (new) confirmation email; already confirmed -> a note
   * saying so; suppressed (bounced, complained) -> nothing. Every valid request counts against the
   * client's and the address's limits together (one transaction: both or neither), whichever of
   * these it is; an invalid request is refused before and counts nowhere (it writes nothing).
   */
  private async request(
    email: string,
    frequency: Frequency,
    clientAddress: string,
    subject: SubscriptionSubject,
  ): Promise<void> {
    const { subscriptionStore, rateLimiter, clock, config } = this.deps
    const now = clock.now()
    const hash = addressHash(email)
    await rateLimiter.hit(
      [
        { partition: clientPartition(clientAddress), rule: SUBSCRIPTION_RATE_LIMITS.perClient },
        { partition: subscriptionKeys.address(hash), rule: SUBSCRIPTION_RATE_LIMITS.perAddress },
      ],
      now,
    )
    await this.countActivity(now, { requested: 1 })
    if (await subscriptionStore.isSuppressed(hash)) {
      this.deps.logger.info('subscription request for a suppressed address ignored')
      return
    }
    const id = subscriptionId(hash, subject)
    const source = subscriptionSource(subject, config.publicBaseUrl)
    const existing = await subscriptionStore.get(id)
    if (existing?.state !== 'confirmed') {
      const confirmation = issueToken(id)
      const record: SubscriptionRecord = {
        id,
        email,
        addressHash: hash,
        subject,
        frequency,
        state: 'pending',
        consentAt: now.toISOString(),
        ttl: Math.floor(now.getTime() / 1000) + PENDING_DAYS * DAY_SECONDS,
      }
      if ((await subscriptionStore.savePending(record, confirmation.hash)) === 'saved') {
        await this.send(
          confirmationEmail({
            to: email,
            confirmUrl: this.pageUrl(CONFIRM_PAGE_PATH, confirmation.token),
            source,
            frequency,
          }),
        )
        return
      }
    }
    const current = (await subscriptionStore.get(id)) ?? existing
    const unsubscribe = await this.issueUnsubscribeToken(id, now)
    if (!unsubscribe || !current) return
    await this.send(
      alreadySubscribedEmail({
        to: email,
        unsubscribeUrl: this.pageUrl(UNSUBSCRIBE_PAGE_PATH, unsubscribe),
        source,
        frequency: current.frequency,
        askedFrequency: frequency,
      }),
    )
  }

  /**
   * Confirms the subscription a confirmation link names (a POST: a page's button or the API).
   * Idempotent: confirming twice is fine. `InvalidSubscriptionLink` for an unknown, used-up or
   * expired link.
   */
  async confirm(
    token: string,
  ): Promise<{ status: 'confirmed'; frequency: Frequency; firstDigestAt: string }> {
    const { subscriptionStore, clock } = this.deps
    const now = clock.now()
    const found = await this.findLink(token, 'confirm', now)
    if (!found) throw new InvalidSubscriptionLink()
    const { record } = found
    const dueAt = record.dueAt ?? firstDueAt(record.frequency, now)
    if (record.state === 'pending') {
      const baseline = await this.matchingNow(record, now)
      const outcome = await subscriptionStore.confirm(record.id, {
        confirmedAt: now.toISOString(),
        dueAt,
        ...baseline,
        nowSeconds: Math.floor(now.getTime() / 1000),
      })
      if (outcome === 'gone') throw new InvalidSubscriptionLink()
      if (outcome === 'confirmed') await this.countActivity(now, { confirmed: 1 })
    }
    const confirmed = await subscriptionStore.get(record.id)
    return {
      status: 'confirmed',
      frequency: record.frequency,
      firstDigestAt: new Date(confirmed?.dueAt ?? dueAt).toISOString(),
    }
  }

  /**
   * Ends the subscription an unsubscribe link names and deletes everything kept for it (a POST: the
   * one-click unsubscribe of RFC 8058, a page's button or the API). Idempotent: a link whose
   * subscription is already gone answers the same.
   */
  async unsubscribe(token: string): Promise<{ status: 'unsubscribed' }> {
    const now = this.deps.clock.now()
    const found = await this.findLink(token, 'unsubscribe', now)
    if (found && (await this.deps.subscriptionStore.delete(found.record.id))) {
      await this.countActivity(now, { unsubscribed: 1 })
    }
    return { status: 'unsubscribed' }
  }

  /**
   * Sends a confirmed subscription's digests at another frequency, from the next slot of that
   * frequency on (a POST: the button of the unsubscribe link's page, or the API). The unsubscribe
   * link is the one every digest and note carries, and proves the mailbox as the confirmation link
   * did. No digest is lost or doubled by the switch: the next one reports everything since the last
   * (its watermark does not move), and periods are named by the date they start on whatever the
   * frequency, so a period already sent cannot be claimed again. `InvalidSubscriptionLink` for an
   * unknown or expired link, or a subscription that is not confirmed.
   */
  async changeFrequency(
    token: string,
    frequency: Frequency,
  ): Promise<{ status: 'changed' | 'unchanged'; frequency: Frequency; nextDigestAt: string }> {
    const { subscriptionStore, clock } = this.deps
    const now = clock.now()
    const found = await this.findLink(token, 'unsubscribe', now)
    if (found?.record.state !== 'confirmed') throw new InvalidSubscriptionLink()
    const { record } = found
    if (record.frequency === frequency) {
      const dueAt = record.dueAt ?? firstDueAt(frequency, now)
      return { status: 'unchanged', frequency, nextDigestAt: new Date(dueAt).toISOString() }
    }
    const dueAt = firstDueAt(frequency, now)
    if (!(await subscriptionStore.changeFrequency(record.id, frequency, dueAt))) {
      throw new InvalidSubscriptionLink()
    }
    return { status: 'changed', frequency, nextDigestAt: new Date(dueAt).toISOString() }
  }

  /** What a page shows for a link: never changes anything. Undefined for an unknown or expired link. */
  async describe(token: string): Promise<SubscriptionLinkView | undefined> {
    const now = this.deps.clock.now()
    const found =
      (await this.findLink(token, 'confirm', now)) ?? (await this.findLink(token, 'unsubscribe', now))
    if (!found) return undefined
    const { record, purpose } = found
    const source = subscriptionSource(record.subject, this.deps.config.publicBaseUrl)
    return {
      purpose,
      state: record.state,
      email: maskAddress(record.email),
      frequency: record.frequency,
      description: source.description,
      link: { href: source.href, text: source.linkText },
      subject:
        record.subject.kind === 'search'
          ? { kind: 'search', query: record.subject.query }
          : { kind: 'project', projectName: record.subject.projectName },
      consentAt: record.consentAt,
      ...(record.confirmedAt ? { confirmedAt: record.confirmedAt } : {}),
    }
  }

  /**
   * Lifts the suppression of an address (a permanent bounce or a complaint), for an admin acting on
   * its owner's word (a mailbox that exists again, a complaint clicked by mistake). It resubscribes
   * nothing: the address may ask again and confirm, like anyone. Logged with who lifted it, the
   * address masked. AddressNotSuppressed when there is nothing to lift.
   */
  async liftSuppression(email: string, liftedBy: string): Promise<Suppression> {
    const lifted = await this.deps.subscriptionStore.liftSuppression(addressHash(email))
    if (!lifted) throw new AddressNotSuppressed()
    this.deps.logger.info('suppression lifted', {
      address: maskAddress(email),
      reason: lifted.reason,
      suppressedAt: lifted.at,
      liftedBy,
    })
    return lifted
  }

  /** Counts only, for admins: never an address. */
  async stats(): Promise<SubscriptionStats> {
    const today = brusselsDate(this.deps.clock.now())
    const from = addDays(today, -6)
    const [confirmed, days] = await Promise.all([
      this.deps.subscriptionStore.countConfirmed(),
      this.deps.subscriptionStore.activity(from, today),
    ])
    const last7Days = Object.fromEntries(
      ACTIVITY_COUNTERS.map((name) => [name, days.reduce((sum, day) => sum + day[name], 0)]),
    ) as ActivityCounts
    return { confirmed, last7Days, days }
  }

  /** A fresh unsubscribe link token for a live subscription (undefined if it is gone). */
  async issueUnsubscribeToken(id: string, now: Date): Promise<string | undefined> {
    const issued = issueToken(id)
    const expires = Math.floor(now.getTime() / 1000) + UNSUBSCRIBE_LINK_DAYS * DAY_SECONDS
    return (await this.deps.subscriptionStore.addToken(id, issued.hash, 'unsubscribe', expires))
      ? issued.token
      : undefined
  }

  pageUrl(path: string, token: string): string {
    return `${this.deps.config.publicBaseUrl}${path}?token=${encodeURIComponent(token)}`
  }

  /**
   * The catalogue version and the instruments that match the subscription at it: digests report what
   * changes after that version and was not among these.
   */
  private async matchingNow(
    record: SubscriptionRecord,
    now: Date,
  ): Promise<{ watermark: number; known: string[]; matchedBy: string | undefined }> {
    const { catalogue, projects } = this.deps
    const index = await catalogue.current()
    const watermark = catalogue.stats().version
    const resolved = await subjectCriteria(record.subject, projects)
    if (!resolved.ok) return { watermark, known: [], matchedBy: undefined }
    const positions = rankHits(index, resolved.criteria, now).positions.subarray(0, MAX_KNOWN)
    return {
      watermark,
      known: Array.from(positions, (position) => index.record(position).id),
      matchedBy: criteriaFingerprint(record.subject, resolved.criteria),
    }
  }

  private async findLink(
    token: string,
    purpose: TokenPurpose,
    now: Date,
  ): Promise<{ record: SubscriptionRecord; purpose: TokenPurpose } | undefined> {
    const parsed = parseToken(token)
    if (!parsed) return undefined
    const { subscriptionStore } = this.deps
    const nowSeconds = Math.floor(now.getTime() / 1000)
    const link = await subscriptionStore.findToken(parsed.subscriptionId, parsed.hash)
    // DynamoDB's TTL deletes late (up to days): an expired item is treated as already gone.
    if (!link || link.purpose !== purpose || link.ttl <= nowSeconds) return undefined
    const record = await subscriptionStore.get(parsed.subscriptionId)
    if (!record || (record.state === 'pending' && (record.ttl ?? 0) <= nowSeconds)) return undefined
    return { record, purpose }
  }

  private async send(email: Parameters<Mailer['send']>[0]): Promise<void> {
    try {
      await this.deps.mailer.send(email)
    } catch (error) {
      if (error instanceof MailUnavailable) throw error
      this.deps.logger.error('confirmation email not sent', {
        error: withoutAddresses((error as Error).message, [email.to]),
      })
      throw new MailUnavailable('the mail server did not accept the message; try again later.')
    }
  }

  private async countActivity(now: Date, counts: Partial<ActivityCounts>): Promise<void> {
    try {
      await this.deps.subscriptionStore.recordActivity(brusselsDate(now), counts)
    } catch (error) {
      // Statistics are not worth failing a subscriber's request for.
      this.deps.logger.warn('subscription activity not counted', { error: (error as Error).message })
    }
  }
}
