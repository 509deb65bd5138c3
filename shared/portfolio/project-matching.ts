import {
  type MatchCriteria,
  matchSearchCriteria,
  type SearchCriteria,
} from '../catalogue/search/search-query'
import type { ProjectInput } from './project'

/** The filters a project's match can take (those of `POST /v1/match`, without features and limit). */
export type ProjectMatchFilters = Partial<
  Pick<MatchCriteria, 'origin' | 'country' | 'includeInternational' | 'kind'>
>

/**
 * Where a project can be funded: unless the filters name countries of their own, the project's
 * country, with the international instruments, which are open to applicants from any country (a
 * project in Denmark: Danish national and regional funding and EU-wide funding), as the public
 * match page does for a country. `origin` and `kind` narrow that further; a project without a
 * country is matched in every country. The project's page and its watch's digests both match
 * through this, so a digest reports what the page it links to shows.
 */
export function projectMatchFilters(
  project: Pick<ProjectInput, 'country'>,
  filters: ProjectMatchFilters = {},
): ProjectMatchFilters {
  if (filters.country || !project.country) return filters
  return {
    ...filters,
    country: [project.country],
    includeInternational: filters.includeInternational ?? true,
  }
}

/** The search a project's match runs: any of its features, where it can be funded (above). */
export function projectMatchCriteria(
  project: Pick<ProjectInput, 'country' | 'features'>,
  filters: ProjectMatchFilters = {},
): SearchCriteria {
  return matchSearchCriteria(project.features, projectMatchFilters(project, filters))
}
