import type { Instrument } from '../../../../shared/catalogue/instrument'
import { DataTable } from '../../components/data-table'
import { DeadlineText, Notice, StatusBadge } from '../../components/instrument-bits'
import { Layout, type SignedInUser } from '../../components/layout'
import { Pagination } from '../../components/pagination'
import { formatDate, whereLabel } from '../../lib/format'

export interface AdminListProps {
  user: SignedInUser
  canDelete: boolean
  /** Whether this user may edit the instrument (a national contact point: only their countries'). */
  canEdit: (item: Instrument) => boolean
  items: Instrument[]
  total: number
  page: number
  limit: number
  q: string
  now: Date
  flash?: string | undefined
}

export function AdminNav({ current }: { current: 'instruments' | 'review' | 'archive' | 'audit' }) {
  const links = [
    { id: 'instruments', href: '/admin', label: 'Instruments' },
    { id: 'review', href: '/admin/review', label: 'Review queue' },
    { id: 'archive', href: '/admin/archive', label: 'Archive' },
    { id: 'audit', href: '/admin/audit', label: 'Audit log' },
    { id: 'portfolio', href: '/admin/portfolio', label: 'Project portfolio' },
  ]
  return (
    <nav aria-label="Administration" class="actions">
      {links.map((link) => (
        <a href={link.href} aria-current={link.id === current ? 'page' : undefined}>
          {link.label}
        </a>
      ))}
      <a class="button" href="/admin/instruments/new">
        Add an instrument
      </a>
    </nav>
  )
}

export function AdminInstrumentsPage(props: AdminListProps) {
  const { user, items, total, page, limit, q, now } = props
  const params = new URLSearchParams(q ? { q } : {})
  return (
    <Layout title="Manage the catalogue" section="admin" user={user}>
      <h1>Manage the catalogue</h1>
      <AdminNav current="instruments" />
      {props.flash ? <Notice tone="ok">{props.flash}</Notice> : null}
      <form method="get" action="/admin" class="query-box">
        <label for="admin-q" class="visually-hidden">
          Find instruments by name, description, funder or programme
        </label>
        <input id="admin-q" type="search" name="q" value={q} placeholder="Find by name, funder, programme" />
        <button type="submit">Find</button>
      </form>
      <p>
        {total} {total === 1 ? 'instrument' : 'instruments'} in the catalogue{q ? ` matching "${q}"` : ''}.
      </p>
      {items.length === 0 ? (
        <p>No instruments to show.</p>
      ) : (
        <DataTable
          caption="Instruments in the catalogue"
          columns={['Name', 'Where', 'Deadline', 'Status', 'Version', 'Actions']}
        >
          {items.map((item) => (
            <tr>
              <td>
                <a href={`/instruments/${encodeURIComponent(item.id)}`}>{item.name}</a>
                <br />
                <span class="muted">
                  updated {formatDate(item.updatedAt)} by {item.updatedBy}
                </span>
              </td>
              <td>{whereLabel(item)}</td>
              <td>
                <DeadlineText deadline={item.deadline} now={now} />
              </td>
              <td>
                <StatusBadge status={item.status} />
              </td>
              <td>{item.version}</td>
              <td>
                <div class="actions">
                  {props.canEdit(item) ? (
                    <a href={`/admin/instruments/${encodeURIComponent(item.id)}/edit`}>
                      Edit<span class="visually-hidden"> {item.name}</span>
                    </a>
                  ) : (
                    <span class="muted">not in your countries</span>
                  )}
                  {props.canDelete ? (
                    <form
                      method="post"
                      action={`/admin/instruments/${encodeURIComponent(item.id)}/delete`}
                      data-confirm={`Delete "${item.name}"? It moves to the archive, where it can be restored.`}
                    >
                      <input type="hidden" name="csrf" value={user.csrfToken} />
                      <input type="hidden" name="version" value={String(item.version)} />
                      <button type="submit" class="danger">
                        Delete<span class="visually-hidden"> {item.name}</span>
                      </button>
                    </form>
                  ) : null}
                </div>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <Pagination basePath="/admin" params={params} page={page} limit={limit} total={total} />
    </Layout>
  )
}
