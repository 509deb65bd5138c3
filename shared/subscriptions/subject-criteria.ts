import type { SearchCriteria } from '../catalogue/search/search-query'
import type { FieldError } from '../platform/field-errors'
import type { ProjectStore } from '../portfolio/project-store'
import { checkSavedSearch, projectCriteria, type SubscriptionSubject } from './subscription'

export type SubjectCriteria =
  | { ok: true; criteria: SearchCriteria; projectName?: string | undefined }
  | { ok: false; reason: 'invalid-search'; errors: FieldError[] }
  | { ok: false; reason: 'project-deleted' }

/**
 * What a subscription matches today: its saved search, validated again (the taxonomy may have
 * changed since), or its project's current features with the watch's filters.
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
  return { ok: true, criteria: projectCriteria(project.features, subject.filters), projectName: project.name }
}
