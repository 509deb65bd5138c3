import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { problemResponse } from '../../lib/on-error'
import { problems } from '../../lib/problem'
import type { AppEnv } from '../../lib/types'

/**
 * Imports carry whole spreadsheets, so they have their own, larger body limit (`MAX_IMPORT_BYTES`)
 * instead of the API's default (`MAX_BODY_BYTES`, which app.ts skips for this route).
 */
export function importBodyLimit(): MiddlewareHandler<AppEnv> {
  return async function importBodyLimitMiddleware(c, next) {
    const maxSize = c.var.deps.config.maxImportBytes
    return bodyLimit({
      maxSize,
      onError: (context) =>
        problemResponse(
          context as typeof c,
          problems.payloadTooLarge(
            `The file must not exceed ${maxSize} bytes; split it into several imports.`,
          ),
        ),
    })(c, next)
  }
}

export const CSV_MEDIA_TYPES = new Set(['text/csv', 'application/csv', 'text/comma-separated-values'])

/** The media type of the body, lower case, without parameters. */
export function bodyMediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined
}

/** The `charset` parameter, if the client declared one other than UTF-8 we cannot honour it. */
export function declaredCharset(contentType: string | undefined): string | undefined {
  return /;\s*charset="?([^";]+)"?/i.exec(contentType ?? '')?.[1]?.toLowerCase()
}
