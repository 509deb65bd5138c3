import type { Principal } from '../platform/auth'
import { InstrumentGone, InstrumentNotFound, OutsideEditorCountries, VersionConflict } from './errors'
import { type FeatureSuggestion, suggestFeatures } from './features/suggest-features'
import {
  assertDeadlineNotPast,
  type InstrumentAnnotations,
  type InstrumentContent,
  InstrumentInput,
  type InstrumentRecord,
  type Provenance,
  type ReviewReason,
  reviewReason,
} from './instrument'
import type { ArchivedInstrument, InstrumentStore, Page } from './store/instrument-store'
import type { FeatureCode } from './taxonomy'

/**
 * Editors' and admins' changes to the catalogue, with the rules every one of them follows, whichever
 * way it comes in (the API, the admin pages, a spreadsheet import):
 * - a deadline already past is refused (422);
 * - a national contact point (an editor whose token lists countries) creates, changes and reviews
 *   only national or regional instruments of those countries, both as stored and as sent (403);
 * - replacing an instrument is an editor's decision about its features: suggested features become
 *   `featureOrigin: 'editor'` and a held instrument is published (an import: only when it changes
 *   the features, see `EditOptions`);
 * - on a synced instrument, every field the editor changed is marked `editor` in its provenance, so
 *   the sync never overwrites it again; what a client cannot send (source, provenance, earlier
 *   `editor` marks) is carried over from the stored record, never lost by a replace.
 */

/** Who makes a change, as the editing rules see them. */
export interface Editor {
  /** For the audit trail. */
  name: string
  /** The countries a national contact point may edit; undefined for admins and unscoped editors. */
  countries?: readonly string[] | undefined
}

export function editorOf(principal: Principal): Editor {
  // An admin is never limited to countries, whatever the token says.
  const scoped = principal.countries !== undefined && !principal.roles.includes('admin')
  return { name: principal.name, countries: scoped ? principal.countries : undefined }
}

/** Whether the editor may touch an instrument of this origin and country. */
export function mayEdit(editor: Editor, instrument: Pick<InstrumentInput, 'origin' | 'country'>): boolean {
  if (editor.countries === undefined) return true
  return (
    instrument.origin !== 'international' &&
    instrument.country !== undefined &&
    editor.countries.includes(instrument.country)
  )
}

export function assertMayEdit(editor: Editor, instrument: Pick<InstrumentInput, 'origin' | 'country'>): void {
  if (!mayEdit(editor, instrument)) throw new OutsideEditorCountries(editor.countries ?? [], instrument)
}

const INPUT_KEYS = Object.keys(InstrumentInput.shape) as (keyof InstrumentInput)[]

/** Every annotation, checked complete by the compiler: what a stored record carries beside its input. */
const ANNOTATION_KEYS: Record<keyof InstrumentAnnotations, true> = {
  featureOrigin: true,
  published: true,
  source: true,
  provenance: true,
}

/** A stored record's content (input and annotations), without the server-owned fields. */
export function contentOf(record: InstrumentRecord): InstrumentContent {
  const content: Record<string, unknown> = {}
  for (const key of [...INPUT_KEYS, ...(Object.keys(ANNOTATION_KEYS) as (keyof InstrumentAnnotations)[])])
    if (record[key] !== undefined) content[key] = record[key]
  return content as unknown as InstrumentContent
}

/** A stored record's input fields: what a client would send to replace it unchanged. */
export function inputOfRecord(record: InstrumentRecord): InstrumentInput {
  const input: Record<string, unknown> = {}
  for (const key of INPUT_KEYS) if (record[key] !== undefined) input[key] = record[key]
  return input as InstrumentInput
}

/** Equal as JSON, whatever the order of object keys (budgets compare by value). */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b)
}

function canonicalJson(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, item) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  )
}

export interface EditOptions {
  /**
   * Whether the edit is the editor's choice of the features even where it leaves them as they
   * were (default true). An editor's PUT, the admin form and the review screen show the features
   * and send them back: that confirms suggested ones and publishes a held instrument. An imported
   * record (a spreadsheet row, an item of a JSON file) carries the features whether or not anyone
   * looked at them, so an import confirms them only when it changes them (`false`).
   */
  confirmsFeatures?: boolean
}

/**
 * What an editor's replace stores: their input, with the stored record's annotations carried over
 * and updated by the rules above. Pure: the API, the admin pages and imports all write this.
 */
export function editedContent(
  current: InstrumentRecord,
  input: InstrumentInput,
  options: EditOptions = {},
): InstrumentContent {
  const confirmsFeatures = options.confirmsFeatures !== false || !sameValue(current.features, input.features)
  const content: InstrumentContent = { ...input }
  if (current.source) content.source = current.source
  if (current.featureOrigin !== undefined)
    content.featureOrigin = confirmsFeatures ? 'editor' : current.featureOrigin
  if (current.published !== undefined) content.published = confirmsFeatures ? true : current.published
  if (current.source || current.provenance)
    content.provenance = provenanceAfterEdit(current, input, confirmsFeatures)
  return content
}

/** Only the fields whose value changes become the editor's (and the features once confirmed). */
function provenanceAfterEdit(
  current: InstrumentRecord,
  input: InstrumentInput,
  confirmsFeatures: boolean,
): Provenance {
  const provenance: Provenance = { ...current.provenance }
  for (const key of INPUT_KEYS) if (!sameValue(current[key], input[key])) provenance[key] = 'editor'
  // Confirmed suggestions are the editor's even when unchanged: the sync must not re-suggest over them.
  if (confirmsFeatures && current.featureOrigin === 'suggested') provenance.features = 'editor'
  return provenance
}

/** The live record, or the error saying why there is none (archived: 410; never existed: 404). */
async function requireLive(store: InstrumentStore, id: string): Promise<InstrumentRecord> {
  const current = await store.get(id)
  if (current) return current
  const archived = await store.getArchived(id)
  if (archived) throw new InstrumentGone(id, archived.reason)
  throw new InstrumentNotFound(id)
}

export async function createInstrument(
  store: InstrumentStore,
  editor: Editor,
  input: InstrumentInput,
  now: Date,
): Promise<InstrumentRecord> {
  assertDeadlineNotPast(input, now)
  assertMayEdit(editor, input)
  return store.create(input, editor.name, now)
}

/** An editor's replace (`PUT` with `If-Match`): the whole input, at the version the editor saw. */
export async function updateInstrument(
  store: InstrumentStore,
  editor: Editor,
  id: string,
  input: InstrumentInput,
  expectedVersion: number,
  now: Date,
): Promise<InstrumentRecord> {
  assertDeadlineNotPast(input, now)
  const current = await requireLive(store, id)
  return replaceChecked(store, editor, current, input, expectedVersion, now)
}

/** The review screen's save: the stored instrument with the features the editor ticked, as a replace. */
export async function setFeatures(
  store: InstrumentStore,
  editor: Editor,
  id: string,
  features: FeatureCode[],
  expectedVersion: number,
  now: Date,
): Promise<InstrumentRecord> {
  const current = await requireLive(store, id)
  const input = { ...inputOfRecord(current), features }
  assertDeadlineNotPast(input, now)
  return replaceChecked(store, editor, current, input, expectedVersion, now)
}

async function replaceChecked(
  store: InstrumentStore,
  editor: Editor,
  current: InstrumentRecord,
  input: InstrumentInput,
  expectedVersion: number,
  now: Date,
): Promise<InstrumentRecord> {
  assertMayEdit(editor, current)
  assertMayEdit(editor, input)
  if (current.version !== expectedVersion)
    throw new VersionConflict(current.id, expectedVersion, current.version)
  return store.replace(current.id, editedContent(current, input), expectedVersion, editor.name, now, current)
}

export async function deleteInstrument(
  store: InstrumentStore,
  editor: Editor,
  id: string,
  expectedVersion: number,
  now: Date,
): Promise<ArchivedInstrument> {
  const current = await requireLive(store, id)
  assertMayEdit(editor, current)
  return store.archive(id, { expectedVersion, reason: 'deleted', actor: editor.name, now, current })
}

export async function restoreInstrument(
  store: InstrumentStore,
  editor: Editor,
  id: string,
  options: { deadline?: string | null | undefined },
  now: Date,
): Promise<InstrumentRecord> {
  if (editor.countries !== undefined) {
    const archived = await store.getArchived(id)
    if (archived) assertMayEdit(editor, archived.instrument)
  }
  return store.restore(id, { deadline: options.deadline, actor: editor.name, now })
}

/** An instrument waiting for an editor, why, and the evidence for each feature its text suggests. */
export interface ReviewItem {
  instrument: InstrumentRecord
  reason: ReviewReason
  /** Every feature the instrument's text gives evidence for, best first (`suggestFeatures`). */
  suggestions: FeatureSuggestion[]
}

/** The text the suggestions are read from: the name and the description. */
export function reviewTextOf(instrument: Pick<InstrumentInput, 'name' | 'description'>): string {
  return [instrument.name, instrument.description].filter((part) => part.length > 0).join('\n\n')
}

/** The review view of an instrument; undefined when it waits for nobody. */
export function reviewItemOf(instrument: InstrumentRecord): ReviewItem | undefined {
  const reason = reviewReason(instrument)
  if (reason === undefined) return undefined
  return { instrument, reason, suggestions: suggestFeatures(reviewTextOf(instrument)) }
}

/**
 * The review queue as this editor sees it: held instruments and those whose features are still
 * suggested, oldest first; a national contact point sees only their countries' instruments.
 */
export async function listReviewQueue(
  store: InstrumentStore,
  editor: Editor,
  options: { limit: number; cursor?: string | undefined },
): Promise<Page<ReviewItem>> {
  const page = await store.listReviewQueue({ ...options, countries: editor.countries })
  return {
    items: page.items.flatMap((record) => {
      const item = reviewItemOf(record)
      return item ? [item] : []
    }),
    nextCursor: page.nextCursor,
  }
}
