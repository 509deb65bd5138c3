/** One failing input field: where (dotted path, `budget.min`) and what is wrong with it. */
export interface FieldError {
  path: string
  message: string
}

/** zod issues as `{ path, message }`, the path in dotted form (`budget.min`); unknown keys get one entry each. */
export function fieldErrors(
  issues: ReadonlyArray<{
    path: ReadonlyArray<PropertyKey>
    message: string
    code?: string
    keys?: string[]
  }>,
): FieldError[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.')
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      return issue.keys.map((key) => ({
        path: [path, key].filter(Boolean).join('.'),
        message: 'unknown field',
      }))
    }
    return [{ path, message: issue.message }]
  })
}
