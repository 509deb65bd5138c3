import type { Context } from 'hono'
import { Hono } from 'hono'
import { z } from 'zod'
import {
  assertMayEdit,
  createInstrument,
  deleteInstrument,
  editorOf,
  listReviewQueue,
  mayEdit,
  restoreInstrument,
  reviewItemOf,
  setFeatures,
  updateInstrument,
} from '../../../shared/catalogue/editing'
import { VersionConflict } from '../../../shared/catalogue/errors'
import {
  Deadline,
  FeatureList,
  type InstrumentInput,
  type InstrumentRecord,
} from '../../../shared/catalogue/instrument'
import { searchCriteria } from '../../../shared/catalogue/search'
import { hasRole } from '../../../shared/platform/auth'
import { toProblem } from '../../api/lib/on-error'
import { type FormValues, list, readForm, text } from '../lib/form-data'
import { errorsByField, type FormErrors, formValuesOf, parseInstrumentForm } from '../lib/instrument-form'
import { renderPage } from '../lib/render'
import { requireSameOrigin, requireSignIn, userOf } from '../lib/session'
import type { WebEnv } from '../lib/web-env'
import { ArchivePage, AuditPage } from '../pages/admin/archive-page'
import { InstrumentFormPage } from '../pages/admin/instrument-form-page'
import { AdminInstrumentsPage } from '../pages/admin/instruments-page'
import { ReviewInstrumentPage, ReviewQueuePage } from '../pages/admin/review-page'
import { MessagePage } from '../pages/message-page'

const ADMIN_PAGE_SIZE = 25

/** Outcomes shown after a redirect; a fixed set, so nothing from the URL is echoed into the page. */
const DONE_MESSAGES: Record<string, string> = {
  created: 'The instrument was added to the catalogue.',
  updated: 'Your changes were saved.',
  deleted: 'The instrument was deleted; it is in the archive, where it can be restored.',
  restored: 'The instrument was restored to the catalogue.',
  reviewed: 'The features were saved and the instrument left the review queue; a held one is now public.',
}

const ListQuery = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(400).catch(1),
})
const CursorQuery = z.object({
  cursor: z.string().max(2048).optional(),
  instrumentId: z.string().min(1).max(64).optional(),
})
const VersionField = z.coerce.number().int().min(1).max(999_999_999)
const IdParam = z.string().min(1).max(64)

function NotInCatalogue({ gone }: { gone: boolean }) {
  return (
    <MessagePage title={gone ? 'This instrument is in the archive' : 'Instrument not found'} section="admin">
      <p>
        {gone ? (
          <>
            It was deleted or has expired. <a href="/admin/archive">Open the archive</a> to restore it.
          </>
        ) : (
          <>
            There is no such instrument. <a href="/admin">Back to the list</a>
          </>
        )}
      </p>
    </MessagePage>
  )
}

function badRequest(c: Context<WebEnv>, detail: string) {
  return renderPage(
    c,
    <MessagePage title="That request could not be understood" section="admin">
      <p>{detail}</p>
      <p>
        <a href="/admin">Back to the list</a>
      </p>
    </MessagePage>,
    { status: 400, private: true },
  )
}

/** The review screen of an instrument an editor has already reviewed: point to its edit form. */
function notWaitingForReview(c: Context<WebEnv>, id: string, status: 200 | 409 = 200) {
  return renderPage(
    c,
    <MessagePage title="This instrument is not waiting for review" section="admin">
      <p>
        Its features have been set by an editor.{' '}
        <a href={`/admin/instruments/${encodeURIComponent(id)}/edit`}>Edit it</a> or go back to the{' '}
        <a href="/admin/review">review queue</a>.
      </p>
    </MessagePage>,
    { status, private: true },
  )
}

/** The admin's page for an instrument that is missing (404) or archived (410). */
function notInCatalogue(c: Context<WebEnv>, status: 404 | 410) {
  return renderPage(c, <NotInCatalogue gone={status === 410} />, { status, private: true })
}

/** The instrument the `:id` path parameter names, or the page saying it is missing or archived. */
async function instrumentInPath(c: Context<WebEnv>): Promise<InstrumentRecord | Response> {
  const { store } = c.var.deps
  const id = IdParam.safeParse(c.req.param('id'))
  const record = id.success ? await store.get(id.data) : undefined
  if (record) return record
  const archived = id.success ? await store.getArchived(id.data) : undefined
  return notInCatalogue(c, archived ? 410 : 404)
}

/**
 * The `:id` path parameter and the version the form was loaded at (every change is conditional on
 * it), or the page saying the request cannot be understood.
 */
async function versionedTarget(
  c: Context<WebEnv>,
  values: FormValues,
): Promise<{ id: string; version: number } | Response> {
  const id = IdParam.safeParse(c.req.param('id'))
  const version = VersionField.safeParse(text(values, 'version'))
  if (!id.success || !version.success) return badRequest(c, 'The form lacks the version it was loaded at.')
  return { id: id.data, version: version.data }
}

/** The `cursor` (and `instrumentId`) of a paged list, or the page saying the link is not valid. */
async function pageQuery(c: Context<WebEnv>): Promise<z.infer<typeof CursorQuery> | Response> {
  const query = CursorQuery.safeParse(c.req.query())
  return query.success ? query.data : badRequest(c, 'The page link is not valid.')
}

/** The outcome named by `?done=`, after a redirect. */
const flashOf = (c: Context<WebEnv>) => DONE_MESSAGES[c.req.query('done') ?? '']

/**
 * Create or update. A failure the user can fix re-shows the form with what they typed and the
 * error next to its field; which failure it was comes from `toProblem`, the API's own mapping.
 */
async function saveInstrument(
  c: Context<WebEnv>,
  values: FormValues,
  save: (input: InstrumentInput, now: Date) => Promise<unknown>,
  existing?: { id: string; version: number },
): Promise<Response> {
  const user = userOf(c)
  const display = existing ? { ...existing, name: text(values, 'name') || 'instrument' } : undefined
  const showForm = (
    errors: FormErrors,
    status: 400 | 403 | 409 | 422,
    conflict?: { currentVersion?: number },
  ) =>
    renderPage(
      c,
      <InstrumentFormPage user={user} existing={display} state={{ values, errors }} conflict={conflict} />,
      {
        status,
        private: true,
      },
    )
  const parsed = parseInstrumentForm(values)
  if (!parsed.ok) return showForm(parsed.errors, 400)
  const now = c.var.deps.clock.now()
  try {
    await save(parsed.input, now)
  } catch (error) {
    const problem = toProblem(error)
    switch (problem.status) {
      case 422:
        return showForm(errorsByField(problem.errors ?? []), 422)
      case 403: // a national contact point, outside their countries: say so by the country field
        return showForm({ country: [problem.detail] }, 403)
      case 409: // the external id is taken
        return showForm({ externalId: [problem.detail] }, 409)
      case 412: // someone else saved first: keep what this user typed
        return showForm({}, 409, {
          currentVersion: error instanceof VersionConflict ? error.actual : undefined,
        })
      case 404:
      case 410:
        return notInCatalogue(c, problem.status)
      default:
        throw error
    }
  }
  return c.redirect(existing ? '/admin?done=updated' : '/admin?done=created', 303)
}

export const adminPages = new Hono<WebEnv>()
  .use('/admin/*', requireSameOrigin())
  .get('/admin', requireSignIn('editor'), async (c) => {
    const { catalogue, clock } = c.var.deps
    const query = ListQuery.parse(c.req.query())
    const now = clock.now()
    const result = await catalogue.search(
      searchCriteria({
        ...(query.q && /[\p{L}\p{N}]/u.test(query.q) ? { q: query.q } : {}),
        sort: query.q ? 'relevance' : 'name',
        page: query.page,
        limit: ADMIN_PAGE_SIZE,
      }),
      now,
    )
    return renderPage(
      c,
      <AdminInstrumentsPage
        user={userOf(c)}
        canDelete={hasRole(c.var.principal, ['admin'])}
        canEdit={(item) => mayEdit(editorOf(c.var.principal), item)}
        items={result.items}
        total={result.total}
        page={result.page}
        limit={result.limit}
        q={query.q ?? ''}
        now={now}
        flash={flashOf(c)}
      />,
      { private: true },
    )
  })
  .get('/admin/instruments/new', requireSignIn('editor'), (c) =>
    renderPage(
      c,
      <InstrumentFormPage user={userOf(c)} state={{ values: { budgetCurrency: 'EUR' }, errors: {} }} />,
      { private: true },
    ),
  )
  .post('/admin/instruments', requireSignIn('editor'), async (c) => {
    const { store } = c.var.deps
    const editor = editorOf(c.var.principal)
    return saveInstrument(c, await readForm(c), (input, now) => createInstrument(store, editor, input, now))
  })
  .get('/admin/instruments/:id/edit', requireSignIn('editor'), async (c) => {
    const record = await instrumentInPath(c)
    if (record instanceof Response) return record
    // The same 403 problem as saving would meet, shown as a page before any typing.
    assertMayEdit(editorOf(c.var.principal), record)
    return renderPage(
      c,
      <InstrumentFormPage
        user={userOf(c)}
        existing={{ id: record.id, name: record.name, version: record.version }}
        state={{ values: formValuesOf(record), errors: {} }}
      />,
      { private: true },
    )
  })
  .post('/admin/instruments/:id', requireSignIn('editor'), async (c) => {
    const { store } = c.var.deps
    const values = await readForm(c)
    const target = await versionedTarget(c, values)
    if (target instanceof Response) return target
    const editor = editorOf(c.var.principal)
    return saveInstrument(
      c,
      values,
      (input, now) => updateInstrument(store, editor, target.id, input, target.version, now),
      target,
    )
  })
  .post('/admin/instruments/:id/delete', requireSignIn('admin'), async (c) => {
    const { store, clock } = c.var.deps
    const target = await versionedTarget(c, await readForm(c))
    if (target instanceof Response) return target
    try {
      await deleteInstrument(store, editorOf(c.var.principal), target.id, target.version, clock.now())
    } catch (error) {
      const status = toProblem(error).status
      if (status === 404 || status === 410) return notInCatalogue(c, status)
      if (status === 412) {
        return renderPage(
          c,
          <MessagePage title="Someone else changed this instrument first" section="admin">
            <p>
              It was saved again after you loaded the list, so it was not deleted.{' '}
              <a href="/admin">Reload the list</a>, check the latest version and delete it again if you still
              want to.
            </p>
          </MessagePage>,
          { status: 409, private: true },
        )
      }
      throw error
    }
    return c.redirect('/admin?done=deleted', 303)
  })
  .get('/admin/archive', requireSignIn('admin'), async (c) => {
    const query = await pageQuery(c)
    if (query instanceof Response) return query
    const page = await c.var.deps.store.listArchive({ limit: ADMIN_PAGE_SIZE, cursor: query.cursor })
    return renderPage(
      c,
      <ArchivePage user={userOf(c)} items={page.items} nextCursor={page.nextCursor} flash={flashOf(c)} />,
      { private: true },
    )
  })
  .post('/admin/archive/:id/restore', requireSignIn('admin'), async (c) => {
    const { store, clock } = c.var.deps
    const id = IdParam.safeParse(c.req.param('id'))
    if (!id.success) return badRequest(c, 'No such archived instrument.')
    const deadlineText = text(await readForm(c), 'deadline')
    const showArchive = async (messages: string[], status: 400 | 404 | 409 | 422) => {
      const page = await store.listArchive({ limit: ADMIN_PAGE_SIZE })
      return renderPage(
        c,
        <ArchivePage
          user={userOf(c)}
          items={page.items}
          nextCursor={page.nextCursor}
          restoreErrors={{ id: id.data, messages }}
        />,
        { status, private: true },
      )
    }
    const deadline = deadlineText === '' ? undefined : Deadline.safeParse(deadlineText)
    if (deadline && !deadline.success) {
      return showArchive(['must be a date YYYY-MM-DD or a date-time with offset'], 400)
    }
    try {
      await restoreInstrument(
        store,
        editorOf(c.var.principal),
        id.data,
        { deadline: deadline?.data },
        clock.now(),
      )
    } catch (error) {
      const problem = toProblem(error)
      switch (problem.status) {
        case 422: {
          const messages = (problem.errors ?? []).map((e) => e.message)
          return showArchive(messages.concat(deadline ? [] : ['enter a new deadline to restore it']), 422)
        }
        case 409:
          return showArchive(['it is already back in the catalogue'], 409)
        case 404:
          return showArchive(['it is no longer in the archive'], 404)
        default:
          throw error
      }
    }
    return c.redirect('/admin/archive?done=restored', 303)
  })
  .get('/admin/review', requireSignIn('editor'), async (c) => {
    const { store, clock } = c.var.deps
    const query = await pageQuery(c)
    if (query instanceof Response) return query
    const page = await listReviewQueue(store, editorOf(c.var.principal), {
      limit: ADMIN_PAGE_SIZE,
      cursor: query.cursor,
    })
    return renderPage(
      c,
      <ReviewQueuePage
        user={userOf(c)}
        items={page.items}
        nextCursor={page.nextCursor}
        now={clock.now()}
        flash={flashOf(c)}
      />,
      { private: true },
    )
  })
  .get('/admin/review/:id', requireSignIn('editor'), async (c) => {
    const { clock } = c.var.deps
    const record = await instrumentInPath(c)
    if (record instanceof Response) return record
    assertMayEdit(editorOf(c.var.principal), record)
    const item = reviewItemOf(record)
    if (!item) return notWaitingForReview(c, record.id)
    return renderPage(
      c,
      <ReviewInstrumentPage user={userOf(c)} item={item} selected={record.features} now={clock.now()} />,
      { private: true },
    )
  })
  .post('/admin/review/:id', requireSignIn('editor'), async (c) => {
    const { store, clock } = c.var.deps
    const values = await readForm(c)
    const target = await versionedTarget(c, values)
    if (target instanceof Response) return target
    const ticked = list(values, 'features')
    const features = FeatureList.safeParse(ticked)
    const now = clock.now()
    const showAgain = async (status: 400 | 409 | 422, errors?: string[], conflict = false) => {
      const record = await store.get(target.id)
      if (!record) return notInCatalogue(c, 404)
      const item = reviewItemOf(record)
      // Someone else reviewed it meanwhile.
      if (!item) return notWaitingForReview(c, record.id, 409)
      return renderPage(
        c,
        <ReviewInstrumentPage
          user={userOf(c)}
          item={conflict ? item : { ...item, instrument: { ...record, version: target.version } }}
          selected={ticked}
          errors={errors}
          conflict={conflict}
          now={now}
        />,
        { status, private: true },
      )
    }
    if (!features.success) {
      return showAgain(400, [ticked.length === 0 ? 'tick at least one feature' : 'unknown feature code'])
    }
    try {
      await setFeatures(store, editorOf(c.var.principal), target.id, features.data, target.version, now)
    } catch (error) {
      const problem = toProblem(error)
      switch (problem.status) {
        case 412:
          return showAgain(409, undefined, true)
        case 422:
          return showAgain(
            422,
            (problem.errors ?? []).map((e) => `${e.path}: ${e.message}`),
          )
        case 404:
        case 410:
          return notInCatalogue(c, problem.status)
        default:
          throw error
      }
    }
    return c.redirect('/admin/review?done=reviewed', 303)
  })
  .get('/admin/audit', requireSignIn('admin'), async (c) => {
    const query = await pageQuery(c)
    if (query instanceof Response) return query
    const page = await c.var.deps.store.listAudit({
      limit: 50,
      cursor: query.cursor,
      instrumentId: query.instrumentId,
    })
    return renderPage(
      c,
      <AuditPage
        user={userOf(c)}
        items={page.items}
        nextCursor={page.nextCursor}
        instrumentId={query.instrumentId}
      />,
      { private: true },
    )
  })
