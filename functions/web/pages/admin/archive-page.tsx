import type {
  ArchivedInstrument,
  ArchiveReason,
  AuditEvent,
} from '../../../../shared/catalogue/store/instrument-store'
import { DataTable } from '../../components/data-table'
import { FieldErrors } from '../../components/form-fields'
import { Notice } from '../../components/instrument-bits'
import { Layout, type SignedInUser } from '../../components/layout'
import { formatDate, formatDeadline } from '../../lib/format'
import { AdminNav } from './instruments-page'

const ARCHIVE_REASON_LABELS: Record<ArchiveReason, string> = {
  expired: 'Expired',
  deleted: 'Deleted',
  withdrawn: 'Withdrawn by its source',
}

export function ArchivePage({
  user,
  items,
  nextCursor,
  flash,
  restoreErrors,
}: {
  user: SignedInUser
  items: ArchivedInstrument[]
  nextCursor?: string | undefined
  flash?: string | undefined
  /** Errors of a failed restore, by instrument id. */
  restoreErrors?: { id: string; messages: string[] } | undefined
}) {
  return (
    <Layout title="Archive" section="admin" user={user}>
      <h1>Archive</h1>
      <AdminNav current="archive" />
      <p class="lead">
        Expired and deleted instruments, newest first. They are kept until the date shown, then removed for
        good.
      </p>
      {flash ? <Notice tone="ok">{flash}</Notice> : null}
      {items.length === 0 ? (
        <p>The archive is empty.</p>
      ) : (
        <DataTable
          caption="Archived instruments"
          columns={['Name', 'Why', 'Archived', 'Kept until', 'Restore']}
        >
          {items.map((entry) => {
            const id = entry.instrument.id
            const fieldName = `deadline-${id}`
            const errors = restoreErrors?.id === id ? restoreErrors.messages : undefined
            return (
              <tr>
                <td>
                  {entry.instrument.name}
                  <br />
                  <span class="muted">
                    deadline {entry.instrument.deadline ? formatDeadline(entry.instrument.deadline) : 'none'}
                  </span>
                </td>
                <td>{ARCHIVE_REASON_LABELS[entry.reason]}</td>
                <td>
                  {formatDate(entry.archivedAt)} by {entry.archivedBy}
                </td>
                <td>{formatDate(entry.purgeAfter)}</td>
                <td>
                  <form method="post" action={`/admin/archive/${encodeURIComponent(id)}/restore`}>
                    <input type="hidden" name="csrf" value={user.csrfToken} />
                    <div class="field">
                      <label for={fieldName}>
                        New deadline<span class="visually-hidden"> for {entry.instrument.name}</span>
                      </label>
                      <input
                        id={fieldName}
                        name="deadline"
                        type="text"
                        placeholder="YYYY-MM-DD"
                        aria-invalid={errors ? 'true' : undefined}
                        aria-describedby={errors ? `${fieldName}-error` : undefined}
                      />
                      <FieldErrors name={fieldName} errors={errors} />
                    </div>
                    <button type="submit" class="secondary">
                      Restore<span class="visually-hidden"> {entry.instrument.name}</span>
                    </button>
                  </form>
                </td>
              </tr>
            )
          })}
        </DataTable>
      )}
      {nextCursor ? (
        <p>
          <a href={`/admin/archive?cursor=${encodeURIComponent(nextCursor)}`}>Older entries</a>
        </p>
      ) : null}
    </Layout>
  )
}

export function AuditPage({
  user,
  items,
  nextCursor,
  instrumentId,
}: {
  user: SignedInUser
  items: AuditEvent[]
  nextCursor?: string | undefined
  instrumentId?: string | undefined
}) {
  const more = new URLSearchParams(instrumentId ? { instrumentId } : {})
  if (nextCursor) more.set('cursor', nextCursor)
  return (
    <Layout title="Audit log" section="admin" user={user}>
      <h1>Audit log</h1>
      <AdminNav current="audit" />
      <p class="lead">
        Every change to the catalogue, newest first{instrumentId ? `, for instrument ${instrumentId}` : ''}.
        {instrumentId ? (
          <>
            {' '}
            <a href="/admin/audit">Show all</a>
          </>
        ) : null}
      </p>
      {items.length === 0 ? (
        <p>No changes recorded.</p>
      ) : (
        <DataTable caption="Change events" columns={['When (UTC)', 'Who', 'What', 'Instrument', 'Version']}>
          {items.map((event) => (
            <tr>
              <td>
                <time datetime={event.at}>{event.at.replace('T', ' ').slice(0, 19)}</time>
              </td>
              <td>{event.actor}</td>
              <td>{event.action}</td>
              <td>
                <a href={`/admin/audit?instrumentId=${encodeURIComponent(event.instrumentId)}`}>
                  {event.instrumentId}
                </a>
              </td>
              <td>{event.instrumentVersion}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {nextCursor ? (
        <p>
          <a href={`/admin/audit?${more.toString()}`}>Older changes</a>
        </p>
      ) : null}
    </Layout>
  )
}
