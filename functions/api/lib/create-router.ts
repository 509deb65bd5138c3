import { OpenAPIHono } from '@hono/zod-openapi'
import { fieldErrors, problems } from './problem'
import type { AppEnv } from './types'

const TARGET_NAMES: Record<string, string> = {
  json: 'body',
  query: 'query parameter',
  param: 'path parameter',
  header: 'header',
  form: 'form field',
}

/**
 * Every router is built here so that validation failures everywhere become the same 400
 * problem, listing each failing field.
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    strict: false,
    defaultHook: (result) => {
      if (result.success) return
      const errors = fieldErrors(result.error.issues)
      const where = TARGET_NAMES[result.target] ?? result.target
      const names = [...new Set(errors.map((error) => error.path).filter(Boolean))]
      throw problems.validation(
        names.length > 0 ? `Invalid ${where}: ${names.join(', ')}.` : `Invalid ${where}.`,
        errors.map((error) => ({ ...error, path: error.path || where })),
      )
    },
  })
}
