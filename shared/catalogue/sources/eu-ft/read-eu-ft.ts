import { brusselsDayStart } from '../../../platform/time'
import type { InstrumentRecord } from '../../instrument'
import type { SourceRead, SourceTopic, SyncFailure, SyncWarning } from '../sync-instruments'
import { mapTopic } from './map-topic'
import { type PortalClientOptions, readPortal } from './portal-client'
import { programmeName } from './programmes'

/**
 * A read of the EU Funding & Tenders Portal, from the portal itself or from a file of recorded
 * results, turned into what the sync needs: mapped topics, duplicates and unmappable topics
 * reported, and whether the read is complete.
 */

export const EU_FT = 'eu-ft' as const

/** Results as received, with where each came from (page N, or a file). */
export interface RawResults {
  results: { page: number | undefined; result: unknown }[]
  complete: boolean
  /** From a file of recorded results rather than the portal now (`SourceRead.recorded`). */
  recorded: boolean
  failures: SyncFailure[]
  /** When the results were read; a recorded result may say when it was recorded. */
  readAt: Date
}

export class RecordedFileError extends Error {
  override name = 'RecordedFileError'
}

/**
 * The results of a recorded file: the portal's answer (`{ totalResults, results }`), an array of
 * results, or a recording (`{ results }` with provenance), as ./data/recorded-topics-2026.json.
 */
export function resultsOfFile(content: unknown): unknown[] {
  if (Array.isArray(content)) return content
  const results = (content as { results?: unknown } | null)?.results
  if (Array.isArray(results)) return results
  throw new RecordedFileError(
    'A recorded file holds an array of results or an object with a `results` array.',
  )
}

/**
 * When a recorded result was read from the portal, if it says: `_recorded.at` (a date-time) or,
 * when only a bound is known, `_recorded.onOrBefore` (a date: the start of that day, Brussels);
 * `_provenance.recordedAt` in the research notes' format.
 */
export function recordedAt(result: unknown): Date | undefined {
  const recorded = (result as { _recorded?: { at?: unknown; onOrBefore?: unknown } } | null)?._recorded
  const provenance = (result as { _provenance?: { recordedAt?: unknown } } | null)?._provenance
  const at = recorded?.at ?? provenance?.recordedAt
  if (typeof at === 'string') {
    const instant = Date.parse(at.replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1'))
    if (!Number.isNaN(instant)) return new Date(instant)
  }
  if (typeof recorded?.onOrBefore === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(recorded.onOrBefore)) {
    return new Date(brusselsDayStart(recorded.onOrBefore))
  }
  return undefined
}

/**
 * The results of a file: complete (every result in it was read), but recorded. A recording is
 * what the portal listed when it was made, not what it lists now, so a call it lacks may simply be
 * newer than the file: the sync never withdraws on a recorded read (`SourceRead.recorded`).
 */
export function fileResults(content: unknown, now: Date): RawResults {
  return {
    results: resultsOfFile(content).map((result) => ({ page: undefined, result })),
    complete: true,
    recorded: true,
    failures: [],
    readAt: now,
  }
}

export async function portalResults(options: PortalClientOptions, now: Date): Promise<RawResults> {
  const read = await readPortal(options)
  return {
    results: read.results,
    complete: read.complete,
    recorded: false,
    failures: read.failures,
    readAt: now,
  }
}

function where(page: number | undefined): string {
  return page === undefined ? 'earlier in the file' : `on page ${page}`
}

/**
 * Maps every result, keeps the first of duplicates (same reference, or same externalId) and
 * reports the others, and decides completeness: a result that cannot be identified might be
 * any instrument of the catalogue, so it makes the read incomplete (nothing is withdrawn).
 */
export function toSourceRead(raw: RawResults, options: { programmes: readonly string[] }): SourceRead {
  const failures: SyncFailure[] = [...raw.failures]
  const warnings: SyncWarning[] = []
  const topics: SourceTopic[] = []
  const listed = new Set<string>()
  const byReference = new Map<string, number | undefined>()
  const byExternalId = new Map<string, number | undefined>()
  const wanted = new Set(options.programmes)
  let complete = raw.complete
  let fetched = 0
  let closed = 0
  for (const { page, result } of raw.results) {
    const mapped = mapTopic(result)
    if (mapped.ok && wanted.size > 0 && !wanted.has(mapped.topic.frameworkProgramme ?? '')) continue
    fetched += 1
    const reference = mapped.ok ? mapped.topic.reference : mapped.reference
    if (reference !== undefined) {
      if (byReference.has(reference)) {
        failures.push({
          identifier: mapped.ok ? mapped.topic.identifier : mapped.identifier,
          externalId: mapped.ok ? mapped.topic.externalId : mapped.externalId,
          reason: `duplicate: the same result (reference ${reference}) came ${where(byReference.get(reference))}; ignored`,
        })
        continue
      }
      byReference.set(reference, page)
    }
    if (!mapped.ok) {
      failures.push({ identifier: mapped.identifier, externalId: mapped.externalId, reason: mapped.reason })
      if (mapped.externalId) listed.add(mapped.externalId)
      else complete = false
      continue
    }
    const { topic } = mapped
    if (topic.status === 'closed') {
      closed += 1
      continue
    }
    if (byExternalId.has(topic.externalId)) {
      failures.push({
        identifier: topic.identifier,
        externalId: topic.externalId,
        reason: `duplicate: another result with the same identifier came ${where(byExternalId.get(topic.externalId))} and nothing tells them apart; ignored`,
      })
      continue
    }
    byExternalId.set(topic.externalId, page)
    listed.add(topic.externalId)
    for (const warning of topic.warnings) warnings.push({ identifier: topic.identifier, warning })
    topics.push({
      externalId: topic.externalId,
      identifier: topic.identifier,
      fields: topic.fields,
      source: topic.source,
      suggestionText: topic.suggestionText,
      readAt: recordedAt(result) ?? raw.readAt,
    })
  }
  const programmeNames = new Set(
    options.programmes.map((id) => programmeName(id)).filter((name): name is string => name !== undefined),
  )
  return {
    source: EU_FT,
    complete,
    recorded: raw.recorded,
    fetched,
    topics,
    listed,
    closed,
    failures,
    warnings,
    // With a programme filter the read speaks only for those programmes: an instrument counts as
    // one of them by the programme the sync gave it (one an editor changed is left alone).
    covers: (record: InstrumentRecord) =>
      wanted.size === 0 ||
      (record.provenance?.programme !== 'editor' &&
        record.programme !== undefined &&
        programmeNames.has(record.programme)),
  }
}
