import { fieldErrors } from '../../platform/field-errors'
import type { Logger } from '../../platform/logger'
import type { Clock } from '../../platform/time'
import { suggestFeatures } from '../features/suggest-features'
import {
  type FieldProvenance,
  type InstrumentContent,
  InstrumentInput,
  type InstrumentRecord,
  isExpired,
  type Provenance,
  type SourceName,
} from '../instrument'
import type { InstrumentChange, InstrumentStore } from '../store/instrument-store'
import type { FeatureCode } from '../taxonomy'

/**
 * Keeps the catalogue in step with a source of calls (the EU Funding & Tenders Portal is the first).
 *
 * - Idempotent upsert keyed by `externalId`, through the store and its audit trail like an
 *   editor's change, as actor `sync:<source>`. A topic whose content (everything but the moment
 *   it was read) equals the stored instrument is not written at all: a daily sync of an unchanged
 *   portal changes nothing, not even the catalogue version.
 * - Editors win. Each field the source fills has a provenance: `source` while it follows the
 *   source, `editor` once an editor has set it (shared/catalogue/editing.ts marks it). The sync
 *   never overwrites an `editor` field and keeps every field the source does not fill (target
 *   organisations, periodicity, ...). Features an editor has set (`featureOrigin` other than
 *   `suggested`) are kept, with the instrument's publication; suggested ones follow the text.
 * - Features are suggested from the call's text: those at or above `SUGGESTION_THRESHOLD`
 *   become its features (`featureOrigin: 'suggested'`). A call without a confident suggestion is
 *   held (`published: false`, not shown publicly) until an editor sets its features; it still needs
 *   1-54 features, so it is stored with its best weak suggestions (up to three) or, with no
 *   evidence at all, `HELD_PLACEHOLDER_FEATURE`. Neither is shown to the public.
 * - A topic whose deadline has passed (the portal keeps some closed topics listed as open) is not
 *   created; one already in the catalogue is updated and expires. `asRecorded` judges that at the
 *   moment each topic was read instead (a recording): a call that was open when recorded is
 *   created even if it has closed since, and the expiry job archives it (`npm start`'s first load).
 * - A complete read withdraws: a live instrument of the source that the read no longer lists as
 *   open or forthcoming, and whose deadline has not passed, is archived with reason `withdrawn`.
 *   An incomplete read (a page failed, a result could not be identified) withdraws nothing, nor
 *   does a recorded one (a file): it shows what the source listed when it was recorded, and a call
 *   missing from it may have been published since, so replaying an old file into a catalogue the
 *   daily sync keeps current must not archive what the source lists today. A read
 *   that would withdraw more than `MAX_WITHDRAWN_SHARE` of the source's instruments (an empty
 *   answer from a broken source looks complete) withdraws nothing either and is reported.
 */

/** The instrument fields a source fills. Everything else on a synced instrument belongs to editors. */
export const SOURCE_FIELDS = [
  'name',
  'description',
  'kind',
  'origin',
  'funder',
  'programme',
  'url',
  'opensAt',
  'deadline',
  'cutOffs',
  'budget',
] as const satisfies readonly (keyof InstrumentInput)[]
export type SourceField = (typeof SOURCE_FIELDS)[number]

export type SourceFields = Pick<InstrumentInput, 'name' | 'description' | 'kind' | 'origin' | 'url'> &
  Partial<Pick<InstrumentInput, 'funder' | 'programme' | 'opensAt' | 'deadline' | 'cutOffs' | 'budget'>>

/**
 * A held call needs 1-54 features like any other. With no evidence at all it gets G8 ("Cross-
 * institution, Cross-border collaboration"): what EU Funding & Tenders calls are for, with few
 * exceptions (transnational consortia). It is a placeholder on an unpublished call, never shown.
 */
export const HELD_PLACEHOLDER_FEATURE: FeatureCode = 'G8'
/** How many weak suggestions a held call keeps as its provisional features. */
const HELD_FEATURES = 3

/** Refuse to withdraw more than this share of a source's live instruments in one run (when more than `WITHDRAWAL_GUARD_MIN`). */
export const MAX_WITHDRAWN_SHARE = 0.25
const WITHDRAWAL_GUARD_MIN = 10

/** One topic of a read, mapped. */
export interface SourceTopic {
  externalId: string
  /** The source's identifier, for reports. */
  identifier: string
  fields: SourceFields
  source: { id: string; url: string }
  /**
   * What the feature suggestions read besides the name: the source's own text about the topic and
   * its keywords, without the facts the description may add (identifiers, types of action), whose
   * words ("AI" in `DIGITAL-2026-AI-01`, "test") say nothing reliable about the features.
   */
  suggestionText: string
  /** When it was read from the source (a recording: when it was recorded). */
  readAt: Date
}

export interface SyncFailure {
  /** The topic's identifier, or `page N` for a page. */
  identifier: string
  externalId?: string | undefined
  reason: string
}

export interface SyncWarning {
  identifier: string
  warning: string
}

/** What one read of a source gave. */
export interface SourceRead {
  source: SourceName
  /** Every page read and every result identified: only then may the sync withdraw. */
  complete: boolean
  /** Read from a recording (a file), not from the source now: complete or not, it never withdraws. */
  recorded: boolean
  /** Results received, duplicates included. */
  fetched: number
  topics: SourceTopic[]
  /** Every externalId the read lists as open or forthcoming, whether or not its topic could be mapped. */
  listed: ReadonlySet<string>
  /** Results listed with a closed status. */
  closed: number
  failures: SyncFailure[]
  warnings: SyncWarning[]
  /** Whether a live instrument of the source is within what this read lists (a programme filter narrows it). */
  covers(record: InstrumentRecord): boolean
}

export interface SyncSummary {
  source: SourceName
  fetched: number
  created: number
  updated: number
  unchanged: number
  withdrawn: number
  /** Topics of this read whose instrument is held for review (created, updated or unchanged). */
  held: number
  /** Topics, pages and withdrawals that failed; each is in `failures`. */
  failed: number
  /** Listed, but closed and not in the catalogue: a closed status, or a deadline already past (not created). */
  closed: number
  complete: boolean
  dryRun: boolean
  durationMs: number
  failures: SyncFailure[]
  warnings: SyncWarning[]
}

export interface SyncOptions {
  store: InstrumentStore
  clock: Clock
  logger: Logger
  read: SourceRead
  dryRun?: boolean
  /** Create topics that were open when read, even if closed now (replaying a recording as it was). */
  asRecorded?: boolean
  /** Defaults to `sync:<source>`. */
  actor?: string
}

export function syncActor(source: SourceName): string {
  return `sync:${source}`
}

const INPUT_KEYS = Object.keys(InstrumentInput.shape) as (keyof InstrumentInput)[]

function inputFieldsOf(record: InstrumentRecord): Record<string, unknown> {
  const input: Record<string, unknown> = {}
  for (const key of INPUT_KEYS) if (record[key] !== undefined) input[key] = record[key]
  return input
}

/** The stored content in a canonical form, without the moment the source was read. */
function canonical(content: InstrumentContent): string {
  const { source, ...rest } = content
  const comparable: Record<string, unknown> = {}
  for (const key of [...INPUT_KEYS, 'featureOrigin', 'published', 'provenance'] as const) {
    const value = (rest as Record<string, unknown>)[key]
    if (value !== undefined) comparable[key] = value
  }
  if (source) comparable.source = { name: source.name, id: source.id, url: source.url }
  return JSON.stringify(comparable, (_key, value) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  )
}

/** Features from the text: the confident suggestions, or (held) the best weak ones, or the placeholder. */
export function suggestedFeatures(text: string): { features: FeatureCode[]; held: boolean } {
  const suggestions = suggestFeatures(text)
  const confident = suggestions.filter((suggestion) => suggestion.confident)
  if (confident.length > 0) return { features: confident.map((s) => s.code), held: false }
  const weak = suggestions.slice(0, HELD_FEATURES).map((s) => s.code)
  return { features: weak.length > 0 ? weak : [HELD_PLACEHOLDER_FEATURE], held: true }
}

type Planned =
  | { outcome: 'failed'; reason: string }
  | { outcome: 'closed' }
  | { outcome: 'unchanged'; held: boolean }
  | { outcome: 'created' | 'updated'; held: boolean; change: InstrumentChange }

/** The content a topic gives, checked by the instrument schema; a reason instead if it is not valid. */
function validContent(
  input: Record<string, unknown>,
  annotations: Omit<InstrumentContent, keyof InstrumentInput>,
): { content: InstrumentContent } | { reason: string } {
  const parsed = InstrumentInput.safeParse(input)
  if (!parsed.success) {
    const reasons = fieldErrors(parsed.error.issues).map(
      (error) => `${error.path || 'instrument'}: ${error.message}`,
    )
    return { reason: `not a valid instrument: ${reasons.join('; ')}` }
  }
  const present = Object.entries(annotations).filter(([, value]) => value !== undefined)
  return { content: { ...parsed.data, ...Object.fromEntries(present) } }
}

function planTopic(
  topic: SourceTopic,
  current: InstrumentRecord | undefined,
  sourceName: SourceName,
  closedAt: Date,
): Planned {
  const source = { name: sourceName, ...topic.source, syncedAt: topic.readAt.toISOString() }
  if (!current) {
    if (topic.fields.deadline !== undefined && isExpired(topic.fields, closedAt)) return { outcome: 'closed' }
    const { features, held } = suggestedFeatures(`${topic.fields.name}\n${topic.suggestionText}`)
    const provenance: Provenance = Object.fromEntries(SOURCE_FIELDS.map((field) => [field, 'source']))
    const result = validContent(
      { externalId: topic.externalId, ...topic.fields, features },
      { featureOrigin: 'suggested', published: held ? false : undefined, source, provenance },
    )
    if ('reason' in result) return { outcome: 'failed', reason: result.reason }
    return { outcome: 'created', held, change: { action: 'create', input: result.content } }
  }

  // An instrument the sync did not create (an editor's, with the same externalId) is adopted:
  // every field it has is the editor's.
  const provenanceOf = (field: keyof InstrumentInput): FieldProvenance =>
    current.provenance?.[field] ?? (current.source ? 'source' : 'editor')
  // The deadline is the last cut-off: the two move together, or neither does.
  const editorDeadlines = provenanceOf('deadline') === 'editor' || provenanceOf('cutOffs') === 'editor'
  const next = inputFieldsOf(current)
  const provenance: Provenance = { ...current.provenance }
  for (const field of SOURCE_FIELDS) {
    const editors =
      field === 'deadline' || field === 'cutOffs' ? editorDeadlines : provenanceOf(field) === 'editor'
    provenance[field] = editors ? 'editor' : 'source'
    if (editors) continue
    const value = topic.fields[field]
    if (value === undefined) delete next[field]
    else next[field] = value
  }
  next.externalId = topic.externalId

  const editorFeatures = current.featureOrigin !== 'suggested' || current.provenance?.features === 'editor'
  let held = current.published === false
  let featureAnnotations: Pick<InstrumentContent, 'featureOrigin' | 'published'>
  if (editorFeatures) {
    featureAnnotations = { featureOrigin: current.featureOrigin, published: current.published }
  } else {
    // The instrument's own name and, once an editor wrote it, its description: what it is now about.
    const about =
      provenanceOf('description') === 'editor' ? String(next.description ?? '') : topic.suggestionText
    const suggested = suggestedFeatures(`${String(next.name)}\n${about}`)
    next.features = suggested.features
    held = suggested.held
    featureAnnotations = { featureOrigin: 'suggested', published: held ? false : undefined }
  }
  const result = validContent(next, { ...featureAnnotations, source, provenance })
  if ('reason' in result) return { outcome: 'failed', reason: result.reason }
  if (canonical(result.content) === canonical(current)) return { outcome: 'unchanged', held }
  return { outcome: 'updated', held, change: { action: 'replace', current, input: result.content } }
}

/** Runs one sync of a read into the catalogue and says what it did. */
export async function syncInstruments(options: SyncOptions): Promise<SyncSummary> {
  const { store, clock, logger, read } = options
  const dryRun = options.dryRun ?? false
  const actor = options.actor ?? syncActor(read.source)
  const started = performance.now()
  const failures: SyncFailure[] = [...read.failures]
  const counts = { created: 0, updated: 0, unchanged: 0, withdrawn: 0, held: 0, closed: read.closed }

  const ids = await store.findIdsByExternalIds(read.topics.map((topic) => topic.externalId))
  const stored = new Map(
    (await store.getMany([...new Set(ids.values())])).map((record) => [record.id, record] as const),
  )
  const changes: {
    topic: SourceTopic
    change: InstrumentChange
    outcome: 'created' | 'updated'
    held: boolean
  }[] = []
  const now = clock.now()
  for (const topic of read.topics) {
    const id = ids.get(topic.externalId)
    const closedAt = options.asRecorded ? topic.readAt : now
    const planned = planTopic(topic, id ? stored.get(id) : undefined, read.source, closedAt)
    if (planned.outcome === 'failed') {
      failures.push({ identifier: topic.identifier, externalId: topic.externalId, reason: planned.reason })
    } else if (planned.outcome === 'closed') counts.closed += 1
    else if (planned.outcome === 'unchanged') {
      counts.unchanged += 1
      if (planned.held) counts.held += 1
    } else changes.push({ topic, change: planned.change, outcome: planned.outcome, held: planned.held })
  }

  const outcomes = dryRun
    ? changes.map(() => ({ ok: true as const }))
    : await store.writeMany(
        changes.map(({ change }) => change),
        actor,
        now,
      )
  changes.forEach(({ topic, outcome, held }, index) => {
    const written = outcomes[index]
    if (written && !written.ok) {
      failures.push({
        identifier: topic.identifier,
        externalId: topic.externalId,
        reason: `not written: ${written.error.message}`,
      })
      return
    }
    counts[outcome] += 1
    if (held) counts.held += 1
  })

  const warnings = [...read.warnings]
  if (read.complete && !read.recorded) {
    const withdrawal = await withdraw({ store, read, actor, now, dryRun })
    counts.withdrawn = withdrawal.withdrawn
    failures.push(...withdrawal.failures)
  } else if (read.recorded) {
    warnings.push({
      identifier: 'withdrawal',
      warning: 'a recording shows what the source listed when it was made, not now: nothing was withdrawn',
    })
  }

  const summary: SyncSummary = {
    source: read.source,
    fetched: read.fetched,
    ...counts,
    failed: failures.length,
    complete: read.complete,
    dryRun,
    durationMs: Math.round(performance.now() - started),
    failures,
    warnings,
  }
  const { failures: _failures, warnings: _warnings, ...totals } = summary
  if (failures.length > 0 || !read.complete) {
    logger.warn('sync finished with failures', { ...totals, failures: failures.slice(0, 50) })
  } else logger.info('sync finished', totals)
  return summary
}

async function withdraw(options: {
  store: InstrumentStore
  read: SourceRead
  actor: string
  now: Date
  dryRun: boolean
}): Promise<{ withdrawn: number; failures: SyncFailure[] }> {
  const { store, read, actor, now, dryRun } = options
  const { records } = await store.loadCatalogue()
  const ofSource = records.filter((record) => record.source?.name === read.source && read.covers(record))
  const gone = ofSource.filter(
    (record) => !(record.externalId && read.listed.has(record.externalId)) && !isExpired(record, now),
  )
  if (gone.length > WITHDRAWAL_GUARD_MIN && gone.length > ofSource.length * MAX_WITHDRAWN_SHARE) {
    return {
      withdrawn: 0,
      failures: [
        {
          identifier: 'withdrawal',
          reason: `the read no longer lists ${gone.length} of the ${ofSource.length} open instruments of ${read.source}: more than ${MAX_WITHDRAWN_SHARE * 100}% at once looks like a broken source, so none was withdrawn`,
        },
      ],
    }
  }
  if (dryRun) return { withdrawn: gone.length, failures: [] }
  let withdrawn = 0
  const failures: SyncFailure[] = []
  for (const record of gone) {
    try {
      await store.archive(record.id, {
        expectedVersion: record.version,
        reason: 'withdrawn',
        actor,
        now,
        current: record,
      })
      withdrawn += 1
    } catch (error) {
      failures.push({
        identifier: record.source?.id ?? record.id,
        externalId: record.externalId,
        reason: `not withdrawn: ${error instanceof Error ? error.message : String(error)}`,
      })
    }
  }
  return { withdrawn, failures }
}
