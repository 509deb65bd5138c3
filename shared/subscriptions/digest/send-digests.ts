import { expiresAt, type InstrumentRecord, nextClosing } from '../../catalogue/instrument'
import { CatalogueIndex } from '../../catalogue/search/catalogue-index'
import { rankHits } from '../../catalogue/search/search-instruments'
import type { SearchCriteria } from '../../catalogue/search/search-query'
import type { InstrumentStore } from '../../catalogue/store/instrument-store'
import type { Config } from '../../platform/config'
import type { Logger } from '../../platform/logger'
import { SUBSCRIPTION_SHARDS } from '../../platform/table'
import { brusselsDate, type Clock, deadlineExpiresAt } from '../../platform/time'
import type { ProjectStore } from '../../portfolio/project-store'
import { withoutAddresses } from '../email-address'
import type { Mailer } from '../mail/mailer'
import {
  type DigestItem,
  type DigestSections,
  digestEmail,
  invalidSearchEmail,
  projectEndedEmail,
} from '../mail/messages'
import { digestPeriod, nextDueAt } from '../schedule'
import { subscriptionSource } from '../source'
import type { Claim, DigestState, SubscriptionStore } from '../store/subscription-store'
import { criteriaFingerprint, subjectCriteria } from '../subject-criteria'
import { FREQUENCIES, type Frequency, MAX_KNOWN, type SubscriptionRecord } from '../subscription'
import { type SubscriptionService, UNSUBSCRIBE_PAGE_PATH } from '../subscription-service'
import { ChangeLog } from './change-log'

/**
 * Closings this close are reminded, once per subscription and closing: the deadline, or each cut-off
 * of a multiple cut-off call in turn (what "closes in N days" counts to).
 */
export const CLOSING_SOON_MS = 7 * 86_400_000
/** Each section lists at most this many instruments, then "and N more" with a link to the search. */
export const MAX_LISTED = 25
const DEFAULT_CONCURRENCY = 4

export interface DigestJobDeps {
  store: Pick<InstrumentStore, 'loadCatalogue' | 'changesSince'>
  projects: Pick<ProjectStore, 'get'>
  subscriptionStore: SubscriptionStore
  subscriptions: Pick<SubscriptionService, 'issueUnsubscribeToken' | 'pageUrl'>
  mailer: Mailer
  clock: Clock
  logger: Logger
  config: Pick<Config, 'publicBaseUrl'>
}

export interface DigestRunOptions {
  /** The instant the run acts as of (default: now): which periods are due, what closes within 7 days. */
  at?: Date
  /** Only these schedules (the daily and the weekly schedules each run their own). Default: both. */
  frequencies?: readonly Frequency[]
  /** Asked before each subscription; false stops the run early (a Lambda near its timeout). */
  shouldContinue?: () => boolean
  concurrency?: number
}

/** `due` = claimed by this run = `sent + empty + failed`. Claims another run holds are not counted. */
export interface DigestSummary {
  due: number
  sent: number
  empty: number
  failed: number
}

export interface DigestRun extends DigestSummary {
  at: string
  /** Of `sent`: last notes of subscriptions that ended (project deleted, search no longer valid). */
  ended: number
  /** False when `shouldContinue` stopped the run: what is left is still due for the next one. */
  complete: boolean
  durationMs: number
}

type Outcome = 'sent' | 'empty' | 'ended'

/**
 * Sends every due digest once. For each confirmed subscription whose `dueAt` has come (read from
 * the sparse `subscriptionsDue` index, never a scan):
 *
 * 1. claim the period with one conditional write (`lastPeriod < period`): a second run, concurrent or
 *    later, cannot claim it again, so a subscription never gets two digests for one period;
 * 2. work out what to say: instruments changed (created, edited, restored) since the subscription's
 *    watermark in the change log that match now and were not known before (matching when the
 *    subscription was confirmed, or announced since; when the subscription's criteria changed, a
 *    watched project edited, every live instrument is a candidate), and matching
 *    instruments that close within 7 days and were not reminded of that deadline;
 * 3. nothing to say -> no email; else send one email;
 * 4. only then move the watermark on and remember what was announced and reminded.
 *
 * "Changed into the match" thus needs no copy of an instrument's earlier versions: an edited
 * instrument that matched before was already known (at confirmation, or announced when it came).
 *
 * A send that fails gives the claim back, so a re-run retries it. A crash between the claim and
 * the send loses that period's email but not its content: the watermark has not moved, so the next
 * period's digest reports it.
 */
export async function sendDigests(deps: DigestJobDeps, options: DigestRunOptions = {}): Promise<DigestRun> {
  const started = performance.now()
  const at = options.at ?? deps.clock.now()
  const frequencies = options.frequencies ?? FREQUENCIES
  const shouldContinue = options.shouldContinue ?? (() => true)

  const snapshot = await deps.store.loadCatalogue()
  const live = snapshot.records.filter(isPublished)
  const liveById = new Map(live.map((record) => [record.id, record]))
  const closingSoon = CatalogueIndex.build(live.filter((record) => closesSoon(record, at) !== undefined))
  let liveIndex: CatalogueIndex | undefined
  const context: RunContext = {
    deps,
    at,
    version: snapshot.version,
    liveById,
    closingSoon,
    // Built when a subscription first needs it (its criteria changed), once per run.
    live: () => {
      liveIndex ??= CatalogueIndex.build(live)
      return liveIndex
    },
    changeLog: new ChangeLog(deps.store, snapshot.version, liveById),
  }

  const run: DigestRun = {
    at: at.toISOString(),
    due: 0,
    sent: 0,
    empty: 0,
    failed: 0,
    ended: 0,
    complete: true,
    durationMs: 0,
  }
  for (const frequency of frequencies) {
    const { period } = digestPeriod(frequency, at)
    const next = nextDueAt(frequency, period)
    // The shards are independent index partitions: read them at once, then work through them.
    const due = (
      await Promise.all(
        Array.from({ length: SUBSCRIPTION_SHARDS }, async (_, shard) => {
          const records: SubscriptionRecord[] = []
          for await (const record of deps.subscriptionStore.due(frequency, shard, at)) records.push(record)
          return records
        }),
      )
    ).flat()
    await inParallel(due, options.concurrency ?? DEFAULT_CONCURRENCY, async (record) => {
      if (!shouldContinue()) {
        run.complete = false
        return
      }
      const claim = await deps.subscriptionStore.claim(record.id, period, next, at)
      if (!claim) return
      run.due += 1
      try {
        const outcome = await digestOne(context, claim)
        if (outcome === 'empty') run.empty += 1
        else run.sent += 1
        if (outcome === 'ended') run.ended += 1
      } catch (error) {
        run.failed += 1
        deps.logger.error('digest failed', {
          subscription: record.id,
          period,
          error: (error as Error).name,
          detail: withoutAddresses((error as Error).message, [record.email]),
        })
        await deps.subscriptionStore.releaseClaim(claim).catch((releaseError: Error) =>
          deps.logger.error('digest claim not released', {
            subscription: record.id,
            detail: releaseError.message,
          }),
        )
      }
    })
  }
  run.durationMs = Math.round(performance.now() - started)
  await deps.subscriptionStore
    .recordActivity(brusselsDate(deps.clock.now()), {
      digestsSent: run.sent - run.ended,
      endedNotes: run.ended,
    })
    .catch((error: Error) => deps.logger.warn('digest activity not counted', { detail: error.message }))
  deps.logger.info('digest run', { ...run })
  return run
}

interface RunContext {
  deps: DigestJobDeps
  at: Date
  version: number
  liveById: ReadonlyMap<string, InstrumentRecord>
  closingSoon: CatalogueIndex
  /** The whole live catalogue, indexed (for subscriptions whose criteria changed). */
  live: () => CatalogueIndex
  changeLog: ChangeLog
}

async function digestOne(context: RunContext, claim: Claim): Promise<Outcome> {
  const { deps } = context
  const { record } = claim
  const baseUrl = deps.config.publicBaseUrl
  const resolved = await subjectCriteria(record.subject, deps.projects)
  if (!resolved.ok) {
    if (resolved.reason === 'invalid-search' && record.subject.kind === 'search') {
      await deps.mailer.send(
        invalidSearchEmail({
          to: record.email,
          query: record.subject.query,
          errors: resolved.errors,
          searchUrl: `${baseUrl}/`,
        }),
      )
    } else if (record.subject.kind === 'project') {
      await deps.mailer.send(
        projectEndedEmail({ to: record.email, projectName: record.subject.projectName, baseUrl }),
      )
    }
    await deps.subscriptionStore.delete(record.id)
    return 'ended'
  }
  const { criteria, projectName } = resolved
  // Its organisation must be able to list and end it, whenever it was confirmed. A repair, and best
  // effort: a link that cannot be written now (a conflicting write, throttling) is written by the
  // next digest, and this one still goes out.
  if (record.subject.kind === 'project') {
    await deps.subscriptionStore.ensureProjectWatchLink(record).catch((error: Error) =>
      deps.logger.warn('project watch link not repaired', {
        subscription: record.id,
        detail: error.message,
      }),
    )
  }

  const state = (await deps.subscriptionStore.getDigestState(record.id)) ?? {
    watermark: context.version,
    known: [],
    reminded: {},
  }
  const matchedBy = criteriaFingerprint(record.subject, criteria)
  // A watched project changed (features, country): the calls it fits now may never have changed.
  const rematch = matchedBy !== undefined && state.matchedBy !== undefined && state.matchedBy !== matchedBy
  const { sections, announcedNow, remindedNow } = await digestSections(context, criteria, state, rematch)
  const nextState: DigestState = {
    watermark: Math.max(state.watermark, context.version),
    known: keepKnown([...state.known, ...announcedNow], context.liveById),
    reminded: keepReminded({ ...state.reminded, ...remindedNow }, context.at),
    matchedBy,
  }
  if (sections.newMatches.length === 0 && sections.closingSoon.length === 0) {
    await deps.subscriptionStore.saveDigestState(record.id, nextState)
    return 'empty'
  }
  const unsubscribeToken = await deps.subscriptions.issueUnsubscribeToken(record.id, deps.clock.now())
  // Unsubscribed since the claim: say nothing more.
  if (!unsubscribeToken) return 'empty'
  await deps.mailer.send(
    digestEmail({
      to: record.email,
      frequency: record.frequency,
      source: subscriptionSource(record.subject, baseUrl, projectName),
      sections,
      baseUrl,
      unsubscribeUrl: deps.subscriptions.pageUrl(UNSUBSCRIBE_PAGE_PATH, unsubscribeToken),
    }),
  )
  await deps.subscriptionStore.saveDigestState(record.id, nextState)
  return 'sent'
}

async function digestSections(
  context: RunContext,
  criteria: SearchCriteria,
  state: DigestState,
  rematch: boolean,
): Promise<{ sections: DigestSections; announcedNow: string[]; remindedNow: Record<string, number> }> {
  const known = new Set(state.known)
  // New: what changed since the last digest, or, when the criteria changed, anything live, that
  // matches now and was not known.
  const candidates = rematch ? context.live() : await context.changeLog.changedAfter(state.watermark)
  const newMatches = matching(candidates, criteria, context.at).filter((record) => !known.has(record.id))
  const newIds = new Set(newMatches.map((record) => record.id))
  const closing = matching(context.closingSoon, criteria, context.at).filter(
    (record) => !newIds.has(record.id) && state.reminded[record.id] !== closesSoon(record, context.at),
  )
  const remindedNow: Record<string, number> = {}
  for (const record of [...newMatches, ...closing]) {
    const passes = closesSoon(record, context.at)
    if (passes !== undefined) remindedNow[record.id] = passes
  }
  return {
    sections: {
      newMatches: newMatches.slice(0, MAX_LISTED).map((record) => digestItem(record, context.at)),
      moreNew: Math.max(0, newMatches.length - MAX_LISTED),
      closingSoon: closing.slice(0, MAX_LISTED).map((record) => digestItem(record, context.at)),
      moreClosing: Math.max(0, closing.length - MAX_LISTED),
    },
    announcedNow: [...newIds],
    remindedNow,
  }
}

/**
 * The instant the instrument's next closing passes, when that is within `CLOSING_SOON_MS` of `at`:
 * what a reminder is about, and what `reminded` keeps (for a single deadline, its `expiresAt`).
 */
function closesSoon(record: InstrumentRecord, at: Date): number | undefined {
  const next = nextClosing(record, at)
  if (next === undefined) return undefined
  const passes = next + 1
  return passes > at.getTime() && passes <= at.getTime() + CLOSING_SOON_MS ? passes : undefined
}

/** The records of an index that match the criteria at `at`, in the search's own order. */
function matching(index: CatalogueIndex, criteria: SearchCriteria, at: Date): InstrumentRecord[] {
  if (index.size === 0) return []
  return Array.from(rankHits(index, criteria, at).positions, (position) => index.record(position))
}

function digestItem(record: InstrumentRecord, at: Date): DigestItem {
  const opensLater = record.opensAt !== undefined && brusselsDate(at) < record.opensAt
  const next = nextClosing(record, at)
  const nextCutOff =
    next !== undefined && next + 1 !== expiresAt(record)
      ? record.cutOffs?.find((cutOff) => deadlineExpiresAt(cutOff) === next + 1)
      : undefined
  return {
    id: record.id,
    name: record.name,
    kind: record.kind,
    origin: record.origin,
    country: record.country,
    funder: record.funder,
    deadline: record.deadline,
    ...(nextCutOff ? { nextCutOff } : {}),
    status: opensLater ? 'forthcoming' : 'open',
    opensAt: record.opensAt,
  }
}

function keepKnown(ids: string[], live: ReadonlyMap<string, InstrumentRecord>): string[] {
  const kept = [...new Set(ids)].filter((id) => live.has(id))
  return kept.slice(Math.max(0, kept.length - MAX_KNOWN))
}

function keepReminded(reminded: Record<string, number>, at: Date): Record<string, number> {
  return Object.fromEntries(Object.entries(reminded).filter(([, expiry]) => expiry > at.getTime()))
}

/** Held instruments (not yet published by an editor) are nobody's news. */
function isPublished(record: InstrumentRecord): boolean {
  return (record as { published?: boolean }).published !== false
}

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}
