/**
 * The Cognito custom attributes the app reads from tokens, defined once: the stack declares them on
 * the user pool (writable by admins only), the pre-token-generation trigger copies them into access
 * tokens, and `toPrincipal` (./auth.ts) reads the claims.
 */
export const CUSTOM_ATTRIBUTES = {
  /** The organisation whose portfolio the user works on (`custom:org`). */
  org: { maxLength: 100 },
  /** A country-scoped editor's countries, comma-separated ISO 3166-1 alpha-2 codes (`custom:countries`). */
  countries: { maxLength: 1024 },
} as const

export type CustomAttribute = keyof typeof CUSTOM_ATTRIBUTES

/** The claim name Cognito gives a custom attribute in tokens and in trigger events. */
export const claimOf = (attribute: CustomAttribute) => `custom:${attribute}` as const

export const CUSTOM_CLAIMS = (Object.keys(CUSTOM_ATTRIBUTES) as CustomAttribute[]).map(claimOf)
