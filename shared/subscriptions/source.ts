import type { SubscriptionSource } from './mail/messages'
import { checkSavedSearch, describeSearch, type SubscriptionSubject } from './subscription'

/** Where a subscription comes from, in words and as a link, for its emails and pages. */
export function subscriptionSource(
  subject: SubscriptionSubject,
  baseUrl: string,
  projectName?: string,
): SubscriptionSource {
  if (subject.kind === 'project') {
    return {
      description: `your watch on the project “${projectName ?? subject.projectName}”`,
      href: `${baseUrl}/admin/portfolio/projects/${encodeURIComponent(subject.projectId)}`,
      linkText: "See the project's matches",
    }
  }
  const check = checkSavedSearch(subject.query)
  return {
    description: `your saved search: ${check.ok ? describeSearch(check.criteria) : subject.query}`,
    href: searchPageUrl(baseUrl, subject.query),
    linkText: 'See every result of this search',
  }
}

export function searchPageUrl(baseUrl: string, query: string): string {
  return query ? `${baseUrl}/?${query}` : `${baseUrl}/`
}
