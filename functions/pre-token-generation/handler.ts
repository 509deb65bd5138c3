import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda'
import { CUSTOM_CLAIMS } from '../../shared/platform/custom-attributes'

/**
 * Cognito's pre-token-generation trigger (event version 2). Cognito puts custom attributes in ID
 * tokens but never in access tokens, and API clients send access tokens: copy `custom:org` and
 * `custom:countries` into them, so a portfolio or a country-scoped editor works with either token.
 * Only what the user pool holds is copied, and the attributes are writable by admins only.
 */
export async function handler(
  event: PreTokenGenerationV2TriggerEvent,
): Promise<PreTokenGenerationV2TriggerEvent> {
  const claims = Object.fromEntries(
    CUSTOM_CLAIMS.flatMap((claim) => {
      const value = event.request.userAttributes[claim]
      return value ? [[claim, value]] : []
    }),
  )
  event.response = {
    ...event.response,
    claimsAndScopeOverrideDetails: {
      ...event.response?.claimsAndScopeOverrideDetails,
      accessTokenGeneration: { claimsToAddOrOverride: claims },
    },
  }
  return event
}
