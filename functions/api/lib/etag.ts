import { problems } from './problem'

export function etag(version: number): string {
  return `"${version}"`
}

/**
 * The version an `If-Match` header asks to replace. Required (428) so that no update is ever
 * lost; it must name one version (`"3"`, also accepted bare or weak) rather than `*`.
 */
export function expectedVersion(ifMatch: string | undefined): number {
  if (ifMatch === undefined || ifMatch.trim() === '') {
    throw problems.preconditionRequired(
      'Send If-Match with the ETag you read (for example If-Match: "3"), so that no concurrent change is overwritten.',
    )
  }
  const match = /^\s*(?:W\/)?"?([1-9]\d{0,8})"?\s*$/.exec(ifMatch)
  if (!match?.[1]) {
    throw problems.validation('If-Match must be the ETag of one version, such as "3".', [
      { path: 'If-Match', message: 'must be a quoted version number such as "3"' },
    ])
  }
  return Number(match[1])
}

/** True when an `If-None-Match` header lists the current version (or `*`). */
export function notModified(ifNoneMatch: string | undefined, version: number): boolean {
  if (!ifNoneMatch) return false
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim().replace(/^W\//, '')
    return trimmed === '*' || trimmed === etag(version)
  })
}
