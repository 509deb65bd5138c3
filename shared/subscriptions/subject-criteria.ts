import { createHash } from 'node:crypto'
import type { SearchCriteria } from '../catalogue/search/search-query'
import type { FieldError } from '../platform/field-errors'
import { projectMatchCriteria } from '../portfolio/project-matching'
import type { ProjectStore } from '../portfolio/project-store'
import { checkSavedSearch, type SubscriptionSubject } from './subscription'

export type SubjectCriteria =
  | { ok: true; criteria: SearchCriteria; projectName?: string | undefined }
  | { ok: false; reason: 'invalid-search'; errors: FieldError[] }
  | { ok: false; reason: 'project-deleted' }

/**
 * What a subscription matches today: its saved search, validated again (the taxonomy may have
 * changed since), or its project's current features where the project can be funded (its current
 * country and international instruments, unless the watch names countries), narrowed by the watch's
 * filters: what the project's page shows, through the same `projectMatchCriteria`.
 */
export async function subjectCriteria(
  subject: SubscriptionSubject,
  projects: Pick<ProjectStore, 'get'>,
): Promise<SubjectCriteria> {
  if (subject.kind === 'search') {
    const check = checkSavedSearch(subject.query)
    return check.ok
      ? { ok: true, criteria: check.criteria }
      : { ok: false, reason: 'invalid-search', errors: check.errors }
  }
  const project = await projects.get(subject.org, subject.projectId)
  if (!project) return { ok: false, reason: 'project-deleted' }
  return { ok: true, criteria: projectMatchCriteria(project, subject.filters), projectName: project.name }
}

/**
 * Names what a project watch matches by, so that the digest notices when that changes: a watched
 * project whose features or country change matches a different part of the catalogue, and the
 * calls it now fits were never "new" in the change log. Only a project's criteria can change (a
 * saved search is stored as it was asked: undefined), and only the fields a project's match sets
 * are named, in a fixed order: a new default of the search schema must not make every watch
 * compare the whole catalogue at once.
 */
export function criteriaFingerprint(
  subject: SubscriptionSubject,
  criteria: SearchCriteria,
): string | undefined {
  if (subject.kind !== 'project') return undefined
  const sorted = (values: readonly string[] | undefined) => (values ? [...values].sort() : null)
  const named = [
    sorted(criteria.features),
    sorted(criteria.origin),
    sorted(criteria.country),
    criteria.includeInternational ?? null,
    sorted(criteria.kind),
  ]
  return createHash('sha256').update(JSON.stringify(named)).digest('base64url').slice(0, 22)
}
