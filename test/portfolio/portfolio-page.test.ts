import { parse } from 'csv-parse/sync'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseProjectCsv } from '../../shared/portfolio/project-csv'
import { sendDigests } from '../../shared/subscriptions/digest/send-digests'
import { addressHash } from '../../shared/subscriptions/email-address'
import { seedInstruments } from '../support/factories'
import { startTestMailServer } from '../support/mail-server'
import { createWebContext, type WebContext } from '../web/web-context'
import { ANNEX_2_OPEN_CALL_1 } from './support'

let cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()))
  cleanups = []
})

async function context(): Promise<WebContext> {
  const t = await createWebContext()
  cleanups.push(t.cleanup)
  return t
}

/** A web context whose mail goes to a test SMTP server, both cleaned up after the test. */
async function mailingContext() {
  const mail = await startTestMailServer()
  const t = await createWebContext({ env: { SMTP_URL: mail.url } })
  cleanups.push(t.cleanup, () => mail.close())
  return { t, mail }
}

/** `mailingContext` with ACME's Danish project "Harbour drones" (T13, P3). */
async function mailingContextWithProject() {
  const { t, mail } = await mailingContext()
  const project = await t.deps.projects.create(
    'ACME',
    { name: 'Harbour drones', features: ['T13', 'P3'], country: 'DK' },
    'tester',
    t.clock.now(),
  )
  return { t, mail, project }
}

/** Signs in through the local form as an editor of `org`; returns the session cookie and CSRF token. */
function signInWithOrg(t: WebContext, org: string) {
  return t.signIn('editor', `${org}-editor`, '', org)
}

async function importAnnex(t: WebContext, org: string) {
  const projects = await t.deps.projects.applyImport(
    org,
    parseProjectCsv(ANNEX_2_OPEN_CALL_1).projects.map((project) => ({
      action: 'create' as const,
      input: project.input,
    })),
    'seed',
    t.clock.now(),
  )
  return projects
}

describe('/admin/portfolio', () => {
  it('shows the organisation projects and the matrix as shaded cells, with a CSV download', async () => {
    const t = await context()
    await seedInstruments(t, [
      { name: 'Detection and planning call', features: ['P2', 'P3', 'P4'] },
      { name: 'AI call', features: ['T1', 'T9'] },
      { name: 'Unrelated call', features: ['G4'] },
    ])
    await importAnnex(t, 'SECURIT')
    const session = await signInWithOrg(t, 'SECURIT')

    const page = await t.page('/admin/portfolio', session)
    expect(page.status, page.html).toBe(200)
    expect(page.headers.get('cache-control')).toBe('no-store')
    expect(page.html).toContain('Project portfolio of SECURIT')
    expect(page.html).toContain('SECURVERSE')
    expect(page.html).toContain('Detection and planning call')
    expect(page.html).not.toContain('Unrelated call')
    // RASAD (P2 P3 P4 P10) has 3 of its 4 features in the detection call: 75%, shade 3, one of its best.
    const rasadRow =
      /<tr><th scope="row"><a href="[^"]+">RASAD<\/a><\/th>(.*?)<\/tr>/.exec(page.html)?.[1] ?? ''
    expect(rasadRow).toContain('<td class="cell s3 best">75%</td>')
    expect(page.html).not.toMatch(/style=/)
    expect(page.html).toContain('href="/admin/portfolio/matrix.csv"')

    const csv = await t.app.request('/admin/portfolio/matrix.csv', { headers: { cookie: session.cookie } })
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toContain('text/csv')
    const rows = parse(await csv.text()) as string[][]
    expect(rows).toHaveLength(22)

    const projectLink = /href="(\/admin\/portfolio\/projects\/[^"]+)">RASAD/.exec(page.html)?.[1] as string
    const matches = await t.page(projectLink, session)
    expect(matches.status).toBe(200)
    expect(matches.html).toContain('Funding for RASAD')
    expect(matches.html).toContain('<td class="score">75%</td>')
  })

  it('keeps other organisations out (404 for their projects) and explains a missing organisation', async () => {
    const t = await context()
    const [securverse] = await importAnnex(t, 'SECURIT')
    const other = await signInWithOrg(t, 'GLOBEX')
    const page = await t.page('/admin/portfolio', other)
    expect(page.status).toBe(200)
    expect(page.html).not.toContain('SECURVERSE')
    expect(page.html).toContain('No projects yet')
    const foreign = await t.page(`/admin/portfolio/projects/${securverse?.id}`, other)
    expect(foreign.status).toBe(404)
    expect(foreign.html).not.toContain('SECURVERSE')
    expect((await t.page('/admin/portfolio/projects/not-an-id', other)).status).toBe(404)
    const csv = await t.app.request('/admin/portfolio/matrix.csv', { headers: { cookie: other.cookie } })
    expect(await csv.text()).not.toContain('SECURVERSE')

    const noOrg = await t.signIn('editor')
    expect((await t.page('/admin/portfolio', noOrg)).status).toBe(403)
    expect((await t.page('/admin/portfolio', noOrg)).html).toContain('No organisation')
    expect((await t.page('/admin/portfolio')).status).toBe(303)
  })
})

describe('watching a project from its page', () => {
  it('sends the confirmation for a project of the organisation, refuses a bad address and another organisation', async () => {
    const { t, mail } = await mailingContext()
    const [project] = await importAnnex(t, 'ACME')
    const acme = await signInWithOrg(t, 'ACME')
    const watch = (session: { cookie: string; csrf: string }, fields: Record<string, string>) =>
      t.post(`/admin/portfolio/projects/${project!.id}/watch`, fields, session)

    const page = await t.app.request(`/admin/portfolio/projects/${project!.id}`, {
      headers: { cookie: acme.cookie },
    })
    expect(await page.text()).toContain('Watch this project')

    const bad = await watch(acme, { email: 'not an address', frequency: 'weekly' })
    expect(bad.status).toBe(400)
    expect(bad.html).toMatch(/id="email-error"/)
    expect(mail.messages).toHaveLength(0)

    const ok = await watch(acme, { email: 'lead@acme.example', frequency: 'weekly' })
    expect(ok.status).toBe(202)
    expect(ok.html).toContain('Check your inbox')
    const [confirmation] = await mail.waitFor(1)
    expect(confirmation!.to).toEqual(['lead@acme.example'])
    expect(confirmation!.text).toContain(project!.name)

    // Another organisation cannot watch ACME's project: not found, and nothing is sent.
    const other = await signInWithOrg(t, 'OTHER')
    const refused = await watch(other, { email: 'spy@other.example', frequency: 'daily' })
    expect(refused.status).toBe(404)
    expect(mail.messages).toHaveLength(1)
  })

  it("digests what the project's page shows: the project's country and international instruments, not other countries", async () => {
    const { t, mail, project } = await mailingContextWithProject()
    const where = (name: string, origin: 'national' | 'international', country?: string) => ({
      name,
      features: ['P3' as const],
      origin,
      country,
    })
    await seedInstruments(t, [
      where('Danish detection grant', 'national', 'DK'),
      where('EU detection call', 'international'),
      where('Swedish detection grant', 'national', 'SE'),
    ])
    const acme = await signInWithOrg(t, 'ACME')
    const path = `/admin/portfolio/projects/${project.id}`
    const page = await t.page(path, acme)
    expect(page.html).toContain('Instruments a project in Denmark can apply to')
    expect(page.html).toContain('Danish detection grant')
    expect(page.html).toContain('EU detection call')
    expect(page.html).not.toContain('Swedish detection grant')

    // The page's form sends no filters: the watch matches where the project can be funded.
    const watched = await t.post(`${path}/watch`, { email: 'lead@acme.example', frequency: 'daily' }, acme)
    expect(watched.status).toBe(202)
    const [confirmation] = await mail.waitFor(1)
    const token = /token=([\w.-]+)/.exec(confirmation!.text)![1]!
    await t.deps.subscriptions.confirm(token)

    t.clock.set('2026-11-22T12:00:00Z')
    await seedInstruments(t, [
      where('Danish sensing grant', 'national', 'DK'),
      where('EU sensing call', 'international'),
      where('Swedish sensing grant', 'national', 'SE'),
    ])
    t.clock.set('2026-11-23T06:00:00Z')
    expect(await sendDigests(t.deps, { at: t.clock.now() })).toMatchObject({ sent: 1 })
    const [, digest] = await mail.waitFor(2)
    const after = await t.page(path, acme)
    for (const name of ['Danish sensing grant', 'EU sensing call']) {
      expect(digest!.text).toContain(name)
      expect(after.html).toContain(name)
    }
    expect(digest!.text).not.toContain('Swedish sensing grant')
    expect(after.html).not.toContain('Swedish sensing grant')
  })
})

describe("a project's watches on its page", () => {
  it('lists confirmed ones with masked addresses and ends one with the CSRF token; the recipient is told', async () => {
    const { t, mail, project } = await mailingContextWithProject()
    const watch = async (email: string, confirm: boolean) => {
      const sent = mail.messages.length
      await t.deps.subscriptions.requestProjectWatch(
        'ACME',
        project.id,
        { email, frequency: 'daily' },
        '192.0.2.1',
      )
      const [confirmation] = (await mail.waitFor(sent + 1)).slice(sent)
      if (confirm) await t.deps.subscriptions.confirm(/token=([\w.-]+)/.exec(confirmation!.text)![1]!)
      const [id] = await t.deps.subscriptionStore.idsByAddress(addressHash(email))
      return id!
    }
    const leaverSubscription = await watch('leaver@acme.example', true)
    const newcomerSubscription = await watch('newcomer@acme.example', true)
    const pendingSubscription = await watch('pending@acme.example', false)
    const leaver = (await t.deps.subscriptions.projectWatches('ACME', project.id)).find(
      (watch) => watch.email === 'l***@acme.example',
    )

    const acme = await signInWithOrg(t, 'ACME')
    const path = `/admin/portfolio/projects/${project.id}`
    const projectReads = vi.spyOn(t.deps.projects, 'get')
    const page = await t.page(path, acme)
    expect(page.status).toBe(200)
    // The page reads its project once, for the matches and the watches alike.
    expect(projectReads).toHaveBeenCalledTimes(1)
    projectReads.mockRestore()
    expect(page.html).toContain('Who watches this project')
    expect(page.html).toContain('l***@acme.example')
    expect(page.html).toContain('n***@acme.example')
    // A pending request is not a watch yet.
    expect(page.html).not.toContain('p***@acme.example')
    expect(page.html).not.toContain('leaver@acme.example')
    expect(page.html).not.toContain('newcomer@acme.example')
    // Watches are known by ids of their own: no subscription id (derived from the address) is shown.
    expect(leaver!.id).not.toBe(leaverSubscription)
    for (const id of [leaverSubscription, newcomerSubscription, pendingSubscription]) {
      expect(page.html).not.toContain(id)
    }
    const action = `${path}/watches/${leaver!.id}/end`
    expect(page.html).toContain(`action="${action}"`)

    // Without the session's CSRF token: refused, and the watch stays.
    const withoutToken = await t.post(action, {}, undefined, {
      origin: 'http://localhost',
      cookie: acme.cookie,
    })
    expect(withoutToken.status).toBe(403)
    expect(await t.deps.subscriptions.projectWatches('ACME', project.id)).toHaveLength(2)
    // Another organisation, with its own valid token: not found.
    const other = await signInWithOrg(t, 'GLOBEX')
    expect((await t.post(action, {}, other)).status).toBe(404)
    expect(await t.deps.subscriptions.projectWatches('ACME', project.id)).toHaveLength(2)

    // From another site, even with the session's token: refused.
    const crossSite = await t.post(action, {}, acme, { origin: 'https://evil.example' })
    expect(crossSite.status).toBe(403)
    expect(await t.deps.subscriptions.projectWatches('ACME', project.id)).toHaveLength(2)
    const info = vi.spyOn(t.deps.logger, 'info')
    try {
      const ended = await t.post(action, {}, acme)
      expect(ended.status).toBe(200)
      const html = ended.html
      expect(html).toContain('Watch ended')
      expect(html).not.toContain('l***@acme.example')
      expect(html).toContain('n***@acme.example')
      expect(html).not.toContain(newcomerSubscription)
      expect(info).toHaveBeenCalledWith('project watch ended by its organisation', {
        org: 'ACME',
        projectId: project.id,
        watchId: leaver!.id,
        subscription: leaverSubscription,
        endedBy: 'ACME-editor',
      })
      expect(JSON.stringify(info.mock.calls)).not.toContain('leaver@')
    } finally {
      info.mockRestore()
    }
    const [, , , note] = await mail.waitFor(4)
    expect(note!.to).toEqual(['leaver@acme.example'])
    expect(note!.text).toContain('has ended your watch of it')
    expect(await t.deps.subscriptions.projectWatches('ACME', project.id)).toHaveLength(1)
  })

  it('answers a malformed or oversized id with the 404 page of an unknown watch, and changes nothing', async () => {
    const { t, mail, project } = await mailingContextWithProject()
    await t.deps.subscriptions.requestProjectWatch(
      'ACME',
      project.id,
      { email: 'lead@acme.example', frequency: 'daily' },
      '192.0.2.1',
    )
    const [confirmation] = await mail.waitFor(1)
    await t.deps.subscriptions.confirm(/token=([\w.-]+)/.exec(confirmation!.text)![1]!)
    const [watch] = await t.deps.subscriptions.projectWatches('ACME', project.id)
    const acme = await signInWithOrg(t, 'ACME')
    const end = (path: string) => t.post(path, {}, acme)
    const long = 'a'.repeat(3000)
    const unknown = await end(`/admin/portfolio/projects/${project.id}/watches/u5QdXb2Yk0Zr8w1V3n7sTg/end`)
    expect(unknown.status).toBe(404)
    const unknownPage = unknown.html
    expect(unknownPage).toContain('No such watch on this project.')
    for (const path of [
      `/admin/portfolio/projects/${project.id}/watches/${long}/end`,
      `/admin/portfolio/projects/${long}/watches/${watch!.id}/end`,
      `/admin/portfolio/projects/${project.id}/watches/${watch!.id.slice(1)}/end`,
      `/admin/portfolio/projects/${project.id}/watches/${watch!.id.replace(/.$/, '!')}/end`,
    ]) {
      const response = await end(path)
      expect(response.status, path.slice(0, 80)).toBe(404)
      expect(response.headers.get('content-type')).toMatch(/^text\/html/)
      const html = response.html
      expect(html).toContain('No such watch on this project.')
      expect(html).not.toContain(long)
    }
    expect(await t.deps.subscriptions.projectWatches('ACME', project.id)).toEqual([watch])
    // The watch form of a malformed project id: the same page as an unknown project, no request made.
    const watchLong = await t.post(
      `/admin/portfolio/projects/${long}/watch`,
      { email: 'someone@acme.example', frequency: 'weekly' },
      acme,
    )
    expect(watchLong.status).toBe(404)
    expect(watchLong.html).toContain('There is no such project in your portfolio.')
    expect(mail.messages).toHaveLength(1)
  })
})
