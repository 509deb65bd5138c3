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
