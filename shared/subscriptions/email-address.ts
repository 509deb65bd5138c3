import { createHash } from 'node:crypto'
import { domainToASCII } from 'node:url'
import { z } from 'zod'

/**
 * Email addresses as subscribers type them, validated and normalised before anything else sees
 * them. The rules are deliberately narrower than RFC 5322: a plain `local@domain` with no display
 * name, comments, quoting or whitespace, so that an address can never carry a second recipient or a
 * header (CR/LF, `,`, `;`, `<`, `>` are refused outright, not cleaned up).
 */

export const MAX_ADDRESS_LENGTH = 254
const MAX_LOCAL_LENGTH = 64

/** RFC 5322 atext plus dots between atoms (no quoted local parts). */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/
const DOMAIN_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/
const TOP_LEVEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/
// Control characters (CR, LF, NUL, TAB, ...) are what header injection is made of.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

export type AddressCheck = { ok: true; address: string } | { ok: false; message: string }

/**
 * The normalised form (`local@domain`, lower case, the domain in ASCII/punycode), or why the input is
 * not an address. Surrounding spaces are forgiven; anything that could end a header line is not.
 */
export function normaliseEmailAddress(input: string): AddressCheck {
  if (CONTROL.test(input)) return { ok: false, message: 'must not contain line breaks or control characters' }
  const trimmed = input.trim()
  if (trimmed.length === 0) return { ok: false, message: 'must not be empty' }
  if (trimmed.length > MAX_ADDRESS_LENGTH) {
    return { ok: false, message: `must be at most ${MAX_ADDRESS_LENGTH} characters` }
  }
  if (/[\s,;<>()[\]\\":]/.test(trimmed)) {
    return { ok: false, message: 'must be one plain address (name@example.org), without a name or list' }
  }
  const at = trimmed.lastIndexOf('@')
  if (at <= 0 || trimmed.indexOf('@') !== at)
    return { ok: false, message: 'must be an address like name@example.org' }
  const local = trimmed.slice(0, at)
  const domain = domainToASCII(trimmed.slice(at + 1).replace(/\.$/, '')).toLowerCase()
  if (local.length > MAX_LOCAL_LENGTH || !LOCAL_PART.test(local)) {
    return { ok: false, message: 'has an invalid part before the @' }
  }
  const labels = domain.split('.')
  if (
    !domain ||
    labels.length < 2 ||
    !labels.every((label) => DOMAIN_LABEL.test(label)) ||
    !TOP_LEVEL.test(labels.at(-1) as string)
  ) {
    return { ok: false, message: 'has an invalid domain after the @' }
  }
  const address = `${local.toLowerCase()}@${domain}`
  if (address.length > MAX_ADDRESS_LENGTH) {
    return { ok: false, message: `must be at most ${MAX_ADDRESS_LENGTH} characters` }
  }
  return { ok: true, address }
}

/** A subscriber's address: validated and normalised (see `normaliseEmailAddress`). */
export const EmailAddress = z
  .string()
  .max(1000)
  .transform((input, ctx) => {
    const check = normaliseEmailAddress(input)
    if (check.ok) return check.address
    ctx.addIssue({ code: 'custom', message: check.message })
    return z.NEVER
  })
  .meta({ description: 'Where digests go: one plain address', example: 'ada@example.org' })

/**
 * The key under which everything about an address is kept (suppression, rate counter, the links to
 * its subscriptions), so that those items never hold the address itself.
 */
export function addressHash(normalisedAddress: string): string {
  return createHash('sha256').update(`address\u0000${normalisedAddress}`).digest('base64url')
}

/**
 * An error message fit for the logs: every email address in it masked (`maskAddress`). Mail servers
 * name the recipient in their refusals (`550 5.1.1 <someone@example.org>: user unknown`), and the
 * logs must not become a list of subscribers. The addresses the caller knows are in play are
 * masked whatever their form (a quoted local part, a domain without a dot); anything else shaped
 * like an address too. Bounded parts and no `@` inside them keep the pattern linear on any input.
 */
export function withoutAddresses(message: string, known: readonly string[] = []): string {
  let masked = message
  for (const address of known) {
    if (address) masked = masked.split(address).join(maskAddress(address))
  }
  return masked.replace(/(?:"[^"@\r\n]{1,64}"|[^\s<>"'(),;:@]{1,64})@[^\s<>"'(),;:@]{1,255}/g, (address) =>
    maskAddress(address.toLowerCase()),
  )
}

/** For pages and logs: `a***@example.org`. */
export function maskAddress(normalisedAddress: string): string {
  const at = normalisedAddress.lastIndexOf('@')
  return `${normalisedAddress.slice(0, 1)}***${normalisedAddress.slice(at)}`
}
