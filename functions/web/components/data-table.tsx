import type { Child } from 'hono/jsx'

/**
 * The pages' tables: one header row of column headings, body rows from the caller, scrolling
 * sideways on narrow screens. A table is named for screen readers by a visually hidden caption or
 * by the heading above it (`describedBy`).
 */
export function DataTable({
  columns,
  caption,
  describedBy,
  children,
}: {
  columns: Child[]
  caption?: Child
  describedBy?: string
  children?: Child
}) {
  return (
    <div class="table-wrap">
      <table aria-describedby={describedBy}>
        {caption ? <caption class="visually-hidden">{caption}</caption> : null}
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col">{column}</th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  )
}
