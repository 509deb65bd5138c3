import { createHash, randomBytes } from 'node:crypto'

/**
 * The links in emails carry a token `<subscription id>.<secret>`: 32 random bytes that only the
 * email holds. The table keeps the SHA-256 of the secret (as the token item's sort key), never the
 * secret, so a copy of the table confirms or ends nothing. The secret is random and long, so a plain
 * hash is enough (no salt or slow hash needed: there is nothing to guess).
 */

export const TOKEN_PURPOSES = ['confirm', 'unsubscribe'] as const
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number]

const TOKEN_PATTERN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/

export interface IssuedToken {
  /** What goes into the link. */
  token: string
  /** What the table keeps. */
  hash: string
}

export function issueToken(subscriptionId: string): IssuedToken {
  const secret = randomBytes(32).toString('base64url')
  return { token: `${subscriptionId}.${secret}`, hash: hashSecret(secret) }
}

/** The subscription a token names and the hash to look it up by; undefined when it is not a token. */
export function parseToken(token: string): { subscriptionId: string; hash: string } | undefined {
  const match = TOKEN_PATTERN.exec(token)
  if (!match) return undefined
  return { subscriptionId: match[1] as string, hash: hashSecret(match[2] as string) }
}

export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token)
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url')
}
