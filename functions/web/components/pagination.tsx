/** Pages around the current one, with first/last and gaps: 1 … 4 5 [6] 7 8 … 20. */
export function pageWindow(page: number, pages: number): (number | 'gap')[] {
  const wanted = new Set([1, pages, page - 2, page - 1, page, page + 1, page + 2])
  const sorted = [...wanted].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b)
  const result: (number | 'gap')[] = []
  for (const n of sorted) {
    const previous = result[result.length - 1]
    if (typeof previous === 'number' && n - previous > 1) result.push('gap')
    result.push(n)
  }
  return result
}

/** "Items 11-20 of 56" and page links that keep every other parameter of the URL. */
export function Pagination({
  basePath,
  params,
  page,
  limit,
  total,
}: {
  basePath: string
  params: URLSearchParams
  page: number
  limit: number
  total: number
}) {
  const pages = Math.max(1, Math.ceil(total / limit))
  if (total === 0) return null
  const href = (n: number) => {
    const next = new URLSearchParams(params)
    next.delete('page')
    if (n > 1) next.set('page', String(n))
    const query = next.toString()
    return query ? `${basePath}?${query}` : basePath
  }
  const first = (page - 1) * limit + 1
  const last = Math.min(total, page * limit)
  return (
    <nav aria-label="Pagination">
      <p class="muted">
        {first <= total
          ? `Items ${first}-${last} of ${total}`
          : `Page ${page} is past the last page (${pages})`}
      </p>
      {pages > 1 ? (
        <ul class="pagination">
          {page > 1 ? (
            <li>
              <a href={href(page - 1)} rel="prev">
                Previous
              </a>
            </li>
          ) : null}
          {pageWindow(page, pages).map((n) =>
            n === 'gap' ? (
              <li>
                <span aria-hidden="true">…</span>
              </li>
            ) : (
              <li>
                <a href={href(n)} aria-current={n === page ? 'page' : undefined} aria-label={`Page ${n}`}>
                  {n}
                </a>
              </li>
            ),
          )}
          {page < pages ? (
            <li>
              <a href={href(page + 1)} rel="next">
                Next
              </a>
            </li>
          ) : null}
        </ul>
      ) : null}
    </nav>
  )
}
