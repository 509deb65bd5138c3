import type { InstrumentInput } from '../../instrument'
import { normaliseWhitespace, textFromMarkup, trimToLength } from '../source-text'
import type { SourceFields } from '../sync-instruments'
import { brusselsDay, endOfBrusselsDay, type PortalDate, parsePortalDate } from './portal-dates'
import { programmeName } from './programmes'
import {
  firstValue,
  GRANT_TYPES,
  type GrantType,
  isPortalResult,
  metadataValues,
  type PortalResult,
  type PortalStatus,
  portalStatus,
  topLevelText,
} from './protocol'

/**
 * One search result of the portal as an instrument's source fields: a pure function of the result,
 * unit-tested on the recorded topics. It either maps the whole result or refuses it with a reason;
 * it never returns a half-mapped topic (a deadline it cannot read refuses the topic rather than
 * making it open-ended).
 */

export const EXTERNAL_ID_PREFIX = 'eu-ft:'
export const EU_FT_FUNDER = 'European Commission'
export const TOPIC_PAGE_URL =
  'https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/'

const NAME_MAX = 300
const DESCRIPTION_MAX = 5000
const MAX_CUT_OFFS = 50

export interface MappedTopic {
  externalId: string
  /** The portal's identifier (for a cascade call, its parent topic's): what reports name. */
  identifier: string
  /** The result's unique reference, when it has one: what duplicates are recognised by. */
  reference?: string | undefined
  type: GrantType
  status: PortalStatus
  frameworkProgramme?: string | undefined
  fields: SourceFields
  /** The source's id for the topic and its page there. */
  source: { id: string; url: string }
  /** The portal's keywords. */
  keywords: string[]
  /** The topic's own text (description, parent topic of a cascade call) and keywords: what the feature suggestions read with the name. */
  suggestionText: string
  /** What was changed to fit (trimmed, cut), for the report. */
  warnings: string[]
}

export type MapOutcome =
  | { ok: true; topic: MappedTopic }
  | {
      ok: false
      identifier: string
      externalId?: string | undefined
      reference?: string | undefined
      reason: string
    }

/** `eu-ft:<identifier>`, with characters an externalId cannot hold (`/` in EuropeAid ids) as `_`. */
export function externalIdFor(id: string): string {
  return `${EXTERNAL_ID_PREFIX}${id.replace(/[^A-Za-z0-9._:-]/g, '_')}`
}

/** The result's type: `metadata.type`, else what its reference says (recordings without the field). */
function resultType(result: PortalResult, reference: string | undefined): string {
  const declared = firstValue(result, 'type')
  if (declared) return declared
  if (reference && /COMPETITIVE_CALL/i.test(reference)) return '8'
  if (reference && /PROSPECT/i.test(reference)) return '2'
  return '1'
}

/**
 * The cascade call's own id. A cascade call (type 8) repeats its parent topic's identifier and
 * title; what tells it apart is `callccm2Id`, the id of the cascade call itself, which is also the
 * number its reference starts with (`14962` in `14962COMPETITIVE_CALLen`).
 */
function cascadeCallId(result: PortalResult, reference: string | undefined): string | undefined {
  const id = firstValue(result, 'callccm2Id')
  if (id && /^\d{1,20}$/.test(id)) return id
  const fromReference = reference ? /^(\d{1,20})COMPETITIVE_CALL/i.exec(reference)?.[1] : undefined
  return fromReference
}

function cleanText(raw: string | undefined): string {
  return raw ? textFromMarkup(raw).text : ''
}

/** The portal's keywords: one JSON-array string (older results) or several plain strings (newer ones). */
export function portalKeywords(result: PortalResult): string[] {
  const keywords: string[] = []
  for (const value of metadataValues(result, 'keywords')) {
    const trimmed = value.trim()
    if (trimmed.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(trimmed)
        if (Array.isArray(parsed)) {
          for (const item of parsed) if (typeof item === 'string') keywords.push(item)
          continue
        }
      } catch {
        // Not JSON after all: a plain keyword that starts with a bracket.
      }
    }
    keywords.push(trimmed)
  }
  return [...new Set(keywords.map((keyword) => cleanText(keyword)).filter(Boolean))]
}

function parseAmount(value: unknown): number | undefined {
  const amount =
    typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : Number.NaN
  return Number.isFinite(amount) && amount >= 0 ? amount : undefined
}

/**
 * The grant size from `budgetOverview`: a JSON string (parsed a second time) covering every topic
 * of the call, so only the actions of this topic (`action` starting with its identifier) count.
 * `min/maxContribution` are the EU contribution per grant, which is what an instrument's budget
 * means (what one applicant may get); a call-wide total says nothing about one grant and is not used.
 */
export function topicBudget(
  result: PortalResult,
  identifier: string,
): { budget?: InstrumentInput['budget']; warning?: string } {
  const raw = metadataValues(result, 'budgetOverview')[0]
  if (!raw) return {}
  let overview: unknown
  try {
    overview = JSON.parse(raw)
  } catch {
    return { warning: 'budgetOverview is not JSON: budget left out' }
  }
  const map = (overview as { budgetTopicActionMap?: unknown })?.budgetTopicActionMap
  if (typeof map !== 'object' || map === null) return {}
  const prefix = identifier.toLowerCase()
  const actions = Object.values(map)
    .flatMap((entries) => (Array.isArray(entries) ? entries : []))
    .filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null)
    .filter((entry) => {
      const action = typeof entry.action === 'string' ? entry.action.trim().toLowerCase() : ''
      return action === prefix || action.startsWith(`${prefix} `)
    })
  const mins = actions
    .map((entry) => parseAmount(entry.minContribution))
    .filter((v): v is number => v !== undefined)
  const maxes = actions
    .map((entry) => parseAmount(entry.maxContribution))
    .filter((v): v is number => v !== undefined)
  if (mins.length === 0 && maxes.length === 0) return {}
  const min = mins.length > 0 ? Math.min(...mins) : undefined
  const max = maxes.length > 0 ? Math.max(...maxes) : undefined
  if (min !== undefined && max !== undefined && min > max) {
    return { warning: `budgetOverview gives a minimum (${min}) above the maximum (${max}): budget left out` }
  }
  if ((min ?? 0) > 1e12 || (max ?? 0) > 1e12)
    return { warning: 'budgetOverview amount out of range: budget left out' }
  return {
    budget: {
      ...(min !== undefined && min > 0 ? { min } : {}),
      ...(max !== undefined ? { max } : {}),
      currency: 'EUR',
    },
  }
}

/** The topic's page on the portal. Older results point `url` at the topic's JSON data instead. */
function topicPage(result: PortalResult, type: GrantType, identifier: string): string | undefined {
  const given = firstValue(result, 'url') ?? topLevelText(result, 'url') ?? firstValue(result, 'esST_URL')
  if (given && /^https?:\/\//i.test(given) && !/\/topicDetails\/[^/]+\.json$/i.test(given)) return given
  return type === '1' ? `${TOPIC_PAGE_URL}${encodeURIComponent(identifier)}` : undefined
}

interface Deadlines {
  deadline?: string
  cutOffs?: string[]
  /** For a two-stage topic, the second stage's date (for the description). */
  secondStage?: string
  warnings: string[]
}

/**
 * A two-stage topic closes to new applicants at its first-stage deadline (only those who passed
 * the first stage submit at the second). A topic with several cut-offs stays open until the last
 * one; every cut-off is kept, past ones included (the portal lists them too). One date is the
 * deadline. A date without a time is kept as a date, except among cut-offs, which are date-times:
 * there it becomes the last millisecond of that day in Brussels, the same closing instant.
 */
function deadlinesOf(model: string | undefined, dates: PortalDate[]): Deadlines {
  const warnings: string[] = []
  if (dates.length === 0) return { warnings }
  const byInstant = new Map<number, PortalDate>()
  for (const date of dates) {
    const closing = date.kind === 'date' ? endOfBrusselsDay(date.value) : date.value
    byInstant.set(Date.parse(closing), date)
  }
  const ordered = [...byInstant.entries()].sort(([a], [b]) => a - b).map(([, date]) => date)
  const first = ordered[0] as PortalDate
  if (ordered.length === 1) return { deadline: first.value, warnings }
  if (model === 'two-stage') {
    const second = ordered[1] as PortalDate
    if (ordered.length > 2)
      warnings.push(`two-stage topic with ${ordered.length} deadlines: the first is the deadline`)
    return { deadline: first.value, secondStage: second.value, warnings }
  }
  if (model !== 'multiple cut-off') {
    warnings.push(`${ordered.length} deadlines under deadline model '${model ?? 'none'}': read as cut-offs`)
  }
  let cutOffs = ordered.map((date) => (date.kind === 'date' ? endOfBrusselsDay(date.value) : date.value))
  if (cutOffs.length > MAX_CUT_OFFS) {
    warnings.push(`${cutOffs.length} cut-offs: the earliest ${cutOffs.length - MAX_CUT_OFFS} left out`)
    cutOffs = cutOffs.slice(-MAX_CUT_OFFS)
  }
  return { deadline: cutOffs[cutOffs.length - 1] as string, cutOffs, warnings }
}

function describe(parts: {
  type: GrantType
  text: string
  identifier: string
  callIdentifier?: string | undefined
  callTitle?: string | undefined
  programme?: string | undefined
  typeOfAction?: string | undefined
  project?: string | undefined
  parentTitle?: string | undefined
  deadlines: Deadlines
}): string {
  const sentences: string[] = []
  if (parts.text) sentences.push(parts.text)
  else if (parts.type === '8') {
    sentences.push(
      `Open call for third parties (cascade funding)${parts.project ? ` of the EU-funded project ${parts.project}` : ''}, under EU topic ${parts.identifier}${parts.parentTitle ? ` (${parts.parentTitle})` : ''}.`,
    )
  } else {
    const call = parts.callIdentifier
      ? ` of call ${parts.callIdentifier}${parts.callTitle ? ` (${parts.callTitle})` : ''}`
      : ''
    sentences.push(
      `${parts.type === '2' ? 'EU external action call for proposals' : 'EU Funding & Tenders topic'} ${parts.identifier}${call}${parts.programme ? `, ${parts.programme}` : ''}.`,
    )
    if (parts.typeOfAction) sentences.push(`Type of action: ${parts.typeOfAction}.`)
  }
  if (parts.deadlines.secondStage) {
    sentences.push(
      `Two-stage submission: the first stage closes on ${parts.deadlines.deadline}, the second stage on ${parts.deadlines.secondStage}.`,
    )
  }
  return sentences.join(' ')
}

/** Maps one search result; refuses it, with the reason, if any field the instrument needs is unreadable. */
export function mapTopic(raw: unknown): MapOutcome {
  if (!isPortalResult(raw)) {
    const reference =
      typeof (raw as { reference?: unknown })?.reference === 'string'
        ? (raw as { reference: string }).reference
        : undefined
    return {
      ok: false,
      identifier: reference ?? '(unknown)',
      reference,
      reason: 'not a search result: no metadata object',
    }
  }
  const result = raw
  const reference = topLevelText(result, 'reference') ?? firstValue(result, 'REFERENCE')
  const identifier = firstValue(result, 'identifier')
  const refuse = (reason: string, externalId?: string): MapOutcome => ({
    ok: false,
    identifier: identifier ?? reference ?? '(no identifier)',
    externalId,
    reference,
    reason,
  })
  if (!identifier) return refuse('no identifier')

  const type = resultType(result, reference)
  if (!(GRANT_TYPES as readonly string[]).includes(type)) return refuse(`type '${type}' is not a grant topic`)
  const grantType = type as GrantType

  let sourceId = identifier
  if (grantType === '8') {
    const callId = cascadeCallId(result, reference)
    if (!callId) return refuse('cascade call without its own id (no callccm2Id, no numeric reference)')
    sourceId = `${identifier}:cs-${callId}`
  }
  const externalId = externalIdFor(sourceId)
  if (externalId.length > 100)
    return refuse(`identifier too long for an externalId (${externalId.length} > 100 characters)`)

  const statusCode = firstValue(result, 'status')
  if (!statusCode) return refuse('no status', externalId)
  const status = portalStatus(statusCode)
  if (!status) return refuse(`unknown status code '${statusCode}'`, externalId)

  const warnings: string[] = []
  const rawTitle =
    grantType === '8'
      ? (firstValue(result, 'caName') ?? topLevelText(result, 'summary') ?? topLevelText(result, 'content'))
      : (firstValue(result, 'title') ?? topLevelText(result, 'title') ?? topLevelText(result, 'summary'))
  const title = cleanText(rawTitle)
  if (!title) return refuse('no title', externalId)
  const name = trimToLength(title, NAME_MAX)
  if (name !== title) warnings.push(`title of ${title.length} characters trimmed to ${NAME_MAX}`)

  const dates: PortalDate[] = []
  for (const value of metadataValues(result, 'deadlineDate')) {
    if (!value.trim()) continue
    const parsed = parsePortalDate(value)
    if (!parsed) return refuse(`unparseable deadline '${value.slice(0, 40)}'`, externalId)
    dates.push(parsed)
  }
  const model = firstValue(result, 'deadlineModel')
  const deadlines = deadlinesOf(model, dates)
  warnings.push(...deadlines.warnings)

  const startRaw = firstValue(result, 'startDate')
  let opensAt: string | undefined
  if (startRaw) {
    const start = parsePortalDate(startRaw)
    if (!start) return refuse(`unparseable start date '${startRaw.slice(0, 40)}'`, externalId)
    opensAt = brusselsDay(start)
  }

  const url = topicPage(result, grantType, identifier)
  if (!url) return refuse('no page URL', externalId)

  const frameworkProgramme = firstValue(result, 'frameworkProgramme')
  const programme = frameworkProgramme ? programmeName(frameworkProgramme) : undefined
  if (frameworkProgramme && !programme)
    warnings.push(`programme id ${frameworkProgramme} not known: programme left out`)

  let descriptionMarkup = firstValue(result, 'descriptionByte') ?? firstValue(result, 'description')
  if (!descriptionMarkup) {
    const summary = topLevelText(result, 'summary') ?? topLevelText(result, 'content')
    if (summary && cleanText(summary) !== title && cleanText(summary) !== cleanText(rawTitle))
      descriptionMarkup = summary
  }
  const described = descriptionMarkup
    ? textFromMarkup(descriptionMarkup)
    : { text: '', truncatedInput: false }
  if (described.truncatedInput)
    warnings.push(`description of ${descriptionMarkup?.length} characters: only its start was read`)
  const project = firstValue(result, 'projectAcronym')
  const fullDescription = describe({
    type: grantType,
    text: described.text,
    identifier,
    callIdentifier: firstValue(result, 'callIdentifier'),
    callTitle: cleanText(firstValue(result, 'callTitle')) || undefined,
    programme,
    typeOfAction: normaliseWhitespace(firstValue(result, 'typesOfAction') ?? '') || undefined,
    project: project ? cleanText(project) : undefined,
    parentTitle: grantType === '8' ? cleanText(firstValue(result, 'title')) || undefined : undefined,
    deadlines,
  })
  const description = trimToLength(fullDescription, DESCRIPTION_MAX)
  if (description !== fullDescription)
    warnings.push(`description of ${fullDescription.length} characters trimmed to ${DESCRIPTION_MAX}`)

  const { budget, warning: budgetWarning } = topicBudget(result, identifier)
  if (budgetWarning) warnings.push(budgetWarning)

  const funder =
    grantType === '8' && project
      ? trimToLength(`${cleanText(project)} (EU-funded project, cascade funding)`, 200)
      : EU_FT_FUNDER

  const fields: SourceFields = {
    name,
    description,
    kind: 'call',
    origin: 'international',
    funder,
    url,
    ...(programme ? { programme } : {}),
    ...(opensAt ? { opensAt } : {}),
    ...(deadlines.deadline ? { deadline: deadlines.deadline } : {}),
    ...(deadlines.cutOffs ? { cutOffs: deadlines.cutOffs } : {}),
    ...(budget ? { budget } : {}),
  }
  const keywords = portalKeywords(result).filter(
    (keyword) => keyword !== identifier && keyword !== firstValue(result, 'callIdentifier'),
  )
  return {
    ok: true,
    topic: {
      externalId,
      identifier,
      reference,
      type: grantType,
      status,
      frameworkProgramme,
      fields,
      source: { id: sourceId, url },
      keywords,
      suggestionText: [
        described.text,
        grantType === '8' ? cleanText(firstValue(result, 'title')) : '',
        keywords.join(', '),
      ]
        .filter(Boolean)
        .join('\n'),
      warnings,
    },
  }
}
