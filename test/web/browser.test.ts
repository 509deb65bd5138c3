import { existsSync, mkdtempSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InstrumentRecord } from '../../shared/catalogue/instrument'
import { loadSampleCatalogue } from '../../shared/catalogue/sample-catalogue'
import { instrumentInput, syncedContent } from '../support/factories'
import { startTestMailServer } from '../support/mail-server'
import { createWebContext, type WebContext } from './web-context'

/**
 * End to end in headless Chromium (Debian's package) against the real app on DynamoDB Local.
 * One browser for the file; each test opens its own browser context (cookies) and seeds what it
 * needs through the store. Screenshots go to a temporary folder, or to docs/screenshots/ (the
 * README's) with UPDATE_SCREENSHOTS=1 (`npm run screenshots`), so a test run never edits the repo.
 */
const CHROMIUM = '/usr/bin/chromium'
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? 'docs/screenshots'
  : mkdtempSync(join(tmpdir(), 'fundfinder-screenshots-'))
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js')

let browser: Browser
let t: WebContext
let baseUrl: string
let server: ReturnType<typeof serve>
let seeded: { drone: InstrumentRecord; crypto: InstrumentRecord; hostile: InstrumentRecord }

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}; the browser tests need it and never skip. Install it with: sudo apt-get install -y chromium`,
    )
  }
  t = await createWebContext()
  const now = t.clock.now()
  await loadSampleCatalogue(t.store, now)
  const create = (overrides: Parameters<typeof instrumentInput>[0]) =>
    t.store.create(instrumentInput(overrides), 'seed', now)
  seeded = {
    drone: await create({
      name: 'Drone detection pilot call',
      funder: 'Innovation Fund Denmark',
      programme: 'Grand Solutions',
      deadline: '2026-12-10',
      features: ['T13', 'T14', 'P3', 'D1'],
      budget: { min: 100_000, max: 500_000, currency: 'EUR' },
      targetOrganisations: ['sme', 'startup'],
      applicationDomains: ['Critical infrastructure'],
      description: 'Pilots of counter-drone detection at airports and ports, with end-user testing.',
    }),
    crypto: await create({
      name: 'Post-quantum cryptography call',
      origin: 'international',
      country: undefined,
      funder: 'European Commission',
      programme: 'Digital Europe',
      deadline: '2027-02-15',
      features: ['T3', 'T12', 'P12'],
    }),
    hostile: await create({ name: '<script>alert("owned")</script> grant', features: ['G4'] }),
  }
  server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  })
  await mkdir(SCREENSHOTS, { recursive: true })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
  await t?.cleanup()
})

/** A server of its own for a test that changes the catalogue the other tests count on. */
async function serveOwnApp(
  env: Record<string, string> = {},
): Promise<{ t: WebContext; baseUrl: string; close: () => Promise<void> }> {
  const own = await createWebContext({ env })
  const ownServer = serve({ fetch: own.app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((resolve) => ownServer.once('listening', () => resolve()))
  return {
    t: own,
    baseUrl: `http://127.0.0.1:${(ownServer.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise((resolve) => ownServer.close(resolve))
      await own.cleanup()
    },
  }
}

async function newPage(
  options: { javaScriptEnabled?: boolean; baseUrl?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  // bypassCSP only so that axe-core can be injected; the app's own pages need no exception.
  const context = await browser.newContext({
    baseURL: options.baseUrl ?? baseUrl,
    viewport: { width: 1280, height: 900 },
    bypassCSP: true,
    javaScriptEnabled: options.javaScriptEnabled ?? true,
  })
  const page = await context.newPage()
  page.on('pageerror', (error) => {
    throw error
  })
  return { context, page }
}

/** axe-core's serious and critical violations in the page. */
async function seriousViolations(page: Page): Promise<unknown[]> {
  await page.addScriptTag({ path: AXE_PATH })
  // Passed as source text: it runs in the page, where `axe` and `document` exist (not in Node's types).
  const violations = await page.evaluate(`
    axe.run(document).then((results) => results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        targets: violation.nodes.slice(0, 3).map((node) => node.target.join(' ')),
      })))
  `)
  return violations as unknown[]
}

async function expectAccessible(page: Page) {
  expect(await seriousViolations(page), `axe on ${page.url()}`).toEqual([])
}

describe('in a browser', () => {
  it('the accessibility check does catch violations', async () => {
    const { context, page } = await newPage()
    await page.setContent('<html><body><input type="text"><img src="x.png"></body></html>')
    const violations = (await seriousViolations(page)) as { id: string }[]
    expect(violations.map((violation) => violation.id)).toEqual(
      expect.arrayContaining(['html-has-lang', 'image-alt']),
    )
    await context.close()
  })

  it("runs under the app's own Content-Security-Policy: no violation, and the script still works", async () => {
    // No bypassCSP here: the browser enforces the policy the app sends.
    const context = await browser.newContext({ baseURL: baseUrl })
    const page = await context.newPage()
    const violations: string[] = []
    page.on('console', (message) => {
      if (/content security policy/i.test(message.text())) violations.push(message.text())
    })
    for (const path of ['/', '/match', `/instruments/${seeded.drone.id}`, '/admin/sign-in']) {
      const response = await page.goto(path)
      expect(response?.headers()['content-security-policy'], path).toContain("default-src 'self'")
      expect(await page.evaluate('document.documentElement.classList.contains("js")'), path).toBe(true)
    }
    await page.goto('/')
    await Promise.all([page.waitForURL(/features=T13/), page.getByLabel('UAVs, Drones').check()])
    expect(violations).toEqual([])
    await context.close()
  })

  it('the API reference at /docs lists every operation under the same policy, loading nothing from another site', async () => {
    // No bypassCSP: the browser enforces the app's policy, and reports each violation as an event.
    const context = await browser.newContext({ baseURL: baseUrl })
    const page = await context.newPage()
    const violations: string[] = []
    const offSite: string[] = []
    await page.addInitScript(`document.addEventListener('securitypolicyviolation', (event) => {
      console.error('Content Security Policy violation: ' + event.violatedDirective + ' ' + event.blockedURI)
    })`)
    page.on('console', (message) => {
      if (/content security policy/i.test(message.text())) violations.push(message.text())
    })
    page.on('pageerror', (error) => violations.push(`page error: ${error.message}`))
    page.on('request', (request) => {
      const url = new URL(request.url())
      if (url.protocol !== 'data:' && url.origin !== baseUrl) offSite.push(request.url())
    })
    const response = await page.goto('/docs')
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'")
    expect(response?.headers()['content-security-policy']).not.toContain('unsafe-inline')

    const spec = (await (await page.request.get('/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>
    }
    const operations = Object.values(spec.paths).flatMap((item) => Object.keys(item))
    await page.locator('.opblock').first().waitFor()
    expect(await page.locator('.opblock').count()).toBe(operations.length)
    expect(await page.locator('.opblock-summary-path').allTextContents()).toContain('/v1/instruments/{id}')
    // Expanding an operation renders its parameters and responses, still within the policy.
    await page.locator('.opblock-summary', { hasText: '/v1/instruments/{id}' }).first().click()
    await page.locator('.opblock-body .responses-wrapper').first().waitFor()
    expect(violations).toEqual([])
    expect(offSite).toEqual([])
    await context.close()
  })

  it('search: tick features, see matching results and counts, paginate, open a detail page', async () => {
    const { context, page } = await newPage()
    await page.goto('/')
    await expect.poll(() => page.locator('h2#results-heading').textContent()).toMatch(/^55 instruments found/)
    await expectAccessible(page)
    await expect.poll(() => page.locator('.pagination').isVisible()).toBe(true)
    expect(await page.getByText('Items 1-10 of 55').count()).toBe(1)

    // Auto-submit on change: ticking a box reloads with `features` in the URL.
    const droneCount = Number(
      await page
        .locator('label[for="feature-T13"] + .count')
        .innerText()
        .then((s) => s.split(/\s/)[0]),
    )
    await Promise.all([page.waitForURL(/features=T13/), page.getByLabel('UAVs, Drones').check()])
    const heading = await page.locator('h2#results-heading').textContent()
    expect(heading).toMatch(new RegExp(`^${droneCount} instruments? found`))
    expect(await page.getByRole('link', { name: 'Drone detection pilot call' }).count()).toBe(1)
    expect(await page.getByLabel('UAVs, Drones').isChecked()).toBe(true)
    await page.screenshot({ path: `${SCREENSHOTS}/search.png`, fullPage: false })

    // A second feature with "all": only instruments that have both.
    await Promise.all([page.waitForURL(/features=T14/), page.getByLabel('Sensors').check()])
    await Promise.all([page.waitForURL(/match=all/), page.getByLabel('all ticked features').check()])
    const both = await page.locator('tbody tr').count()
    expect(both).toBeGreaterThanOrEqual(1)
    expect(await page.locator('h2#results-heading').textContent()).toMatch(
      new RegExp(`^${both} instruments? found`),
    )

    // Pagination on the unfiltered search keeps its parameters.
    await page.goto('/?sort=name&limit=10')
    const firstName = await page.locator('tbody tr td a').first().textContent()
    await Promise.all([
      page.waitForURL(/page=2/),
      page.getByRole('link', { name: 'Next', exact: true }).click(),
    ])
    expect(page.url()).toContain('sort=name')
    expect(await page.getByText('Items 11-20 of 55').count()).toBe(1)
    expect(await page.locator('tbody tr td a').first().textContent()).not.toBe(firstName)

    // Detail page.
    await page.goto('/?q=drone+detection')
    await Promise.all([
      page.waitForURL(/\/instruments\//),
      page.getByRole('link', { name: 'Drone detection pilot call' }).click(),
    ])
    expect(await page.locator('h1').textContent()).toBe('Drone detection pilot call')
    expect(await page.getByRole('link', { name: /More information/ }).getAttribute('href')).toBe(
      'https://innovationsfonden.dk/en',
    )
    expect(await page.getByText('closes in 18 days').count()).toBeGreaterThan(0)
    await expectAccessible(page)
    await page.screenshot({ path: `${SCREENSHOTS}/detail.png`, fullPage: true })
    await context.close()
  })

  it('email me new calls like these: from a search to the confirmation page, accessible throughout', async () => {
    const mail = await startTestMailServer()
    const own = await serveOwnApp({ SMTP_URL: mail.url })
    try {
      await own.t.store.create(
        instrumentInput({ name: 'Drone detection pilots', features: ['T13'], deadline: '2027-06-30' }),
        'editor',
        own.t.clock.now(),
      )
      const { context, page } = await newPage({ baseUrl: own.baseUrl })
      await page.goto('/?features=T13')
      await page.getByRole('link', { name: 'Email me new calls like these' }).click()
      await page.getByRole('heading', { name: 'Email me new calls like these' }).waitFor()
      expect(await page.content()).toContain('T13 (UAVs, Drones)')
      await expectAccessible(page)
      await page.getByLabel('Your email address').fill('grace@example.org')
      await page.getByLabel('How often').selectOption('weekly')
      await page.getByRole('button', { name: 'Send me a confirmation email' }).click()
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor()
      await expectAccessible(page)

      const [confirmation] = await mail.waitFor(1)
      const link = /http:\/\/localhost:\d+(\/subscriptions\/confirm\?token=[\w.%-]+)/.exec(confirmation!.text)
      expect(link?.[1], confirmation!.text).toBeDefined()
      await page.goto(link![1]!)
      await page.getByRole('heading', { name: 'Confirm your subscription' }).waitFor()
      await expectAccessible(page)
      await page.getByRole('button', { name: 'Confirm and start the digests' }).click()
      await page.getByRole('heading', { name: 'Subscription confirmed' }).waitFor()

      // Asked again at another frequency: a note whose link leads to the page that switches it.
      await page.goto('/subscriptions/new?features=T13')
      await page.getByLabel('Your email address').fill('grace@example.org')
      await page.getByLabel('How often').selectOption('daily')
      await page.getByRole('button', { name: 'Send me a confirmation email' }).click()
      await page.getByRole('heading', { name: 'Check your inbox' }).waitFor()
      const [, note] = await mail.waitFor(2)
      expect(note!.text).toContain('To receive it every day instead')
      const manage = /http:\/\/localhost:\d+(\/subscriptions\/unsubscribe\?token=[\w.%-]+)/.exec(note!.text)
      expect(manage?.[1], note!.text).toBeDefined()
      await page.goto(manage![1]!)
      await page.getByRole('heading', { name: 'Unsubscribe' }).waitFor()
      await expectAccessible(page)
      await page.getByRole('button', { name: 'Send it daily instead' }).click()
      await page.getByRole('heading', { name: 'Daily digest' }).waitFor()
      await expectAccessible(page)
      await context.close()
    } finally {
      await own.close()
      await mail.close()
    }
  })

  it('works without JavaScript: the GET form is the search', async () => {
    const { context, page } = await newPage({ javaScriptEnabled: false })
    await page.goto('/')
    await page.getByLabel('Cryptography').check()
    await page.getByLabel('Origin').selectOption('international')
    await Promise.all([page.waitForURL(/features=T3/), page.getByRole('button', { name: 'Apply' }).click()])
    expect(page.url()).toContain('origin=international')
    expect(await page.getByRole('link', { name: 'Post-quantum cryptography call' }).count()).toBe(1)
    await context.close()
  })

  it('match: describe a project, get ranked instruments with matched and missing features', async () => {
    const { context, page } = await newPage()
    await page.goto('/match')
    await expectAccessible(page)
    for (const label of ['UAVs, Drones', 'Sensors', 'Detection', 'Cryptography'])
      await page.getByLabel(label, { exact: true }).check()
    await Promise.all([
      page.waitForURL(/features=/),
      page.getByRole('button', { name: 'Find matching funding' }).click(),
    ])
    const firstRow = page.locator('tbody tr').first()
    expect(await firstRow.locator('td a').textContent()).toBe('Drone detection pilot call')
    expect(await firstRow.locator('.score').textContent()).toBe('75%')
    expect(await firstRow.locator('.tag.missing').allTextContents()).toEqual(['T3 Cryptography'])
    await expectAccessible(page)
    await page.screenshot({ path: `${SCREENSHOTS}/match.png`, fullPage: false })
    await context.close()
  })

  it('match: describe the project in a few sentences; its features are ticked with their evidence, then adjusted', async () => {
    const { context, page } = await newPage()
    await page.goto('/match')
    await page
      .getByLabel('Describe your project in a few sentences')
      .fill('We pilot a counter-drone radar that detects UAVs near ports, and test it with end users.')
    await Promise.all([
      page.waitForURL(/action=suggest/),
      page.getByRole('button', { name: 'Suggest features from the description' }).click(),
    ])
    expect(await page.getByLabel('UAVs, Drones', { exact: true }).isChecked()).toBe(true)
    expect(await page.locator('#suggested-heading + p + ul mark').allTextContents()).toContain(
      'counter-drone',
    )
    expect(await page.getByRole('link', { name: 'Drone detection pilot call' }).count()).toBe(1)
    await expectAccessible(page)
    await page.screenshot({ path: `${SCREENSHOTS}/match-description.png`, fullPage: false })

    // The user's adjustment wins over the suggestion on the next search.
    await page.getByLabel('UAVs, Drones', { exact: true }).uncheck()
    await page.getByLabel('Cryptography', { exact: true }).check()
    await Promise.all([
      page.waitForURL(/features=T3/),
      page.getByRole('button', { name: 'Find matching funding' }).click(),
    ])
    expect(await page.getByLabel('UAVs, Drones', { exact: true }).isChecked()).toBe(false)
    expect(await page.getByRole('link', { name: 'Post-quantum cryptography call' }).count()).toBe(1)
    await context.close()
  })

  it('review: an editor sees the evidence marked beside the suggested features and publishes a held call', async () => {
    const own = await serveOwnApp()
    const held = await own.t.store.create(
      syncedContent(
        {
          name: 'Counter-drone detection at sea ports',
          description: 'Radar and acoustic sensors that detect UAVs near critical infrastructure.',
          features: ['T13'],
        },
        { published: false },
      ),
      'sync:eu-ft',
      own.t.clock.now(),
    )
    const { context, page } = await newPage({ baseUrl: own.baseUrl })
    await page.goto('/admin/review')
    await page.getByLabel('Your name').fill('nina')
    await page.getByLabel('Editor (create and edit)').check()
    await page.getByLabel('Countries').fill('')
    await Promise.all([
      page.waitForURL(/\/admin\/review$/),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ])
    await expectAccessible(page)
    await page.getByRole('link', { name: /Counter-drone detection at sea ports/ }).click()
    expect(await page.locator('.review-text mark').count()).toBeGreaterThan(2)
    expect(await page.getByLabel('UAVs, Drones', { exact: true }).isChecked()).toBe(true)
    await expectAccessible(page)
    await page.screenshot({ path: `${SCREENSHOTS}/admin-review.png`, fullPage: false })
    await page.getByLabel('Sensors', { exact: true }).check()
    await Promise.all([
      page.waitForURL(/done=reviewed/),
      page.getByRole('button', { name: 'Publish with these features' }).click(),
    ])
    expect(await page.getByText('Nothing waits for review.').count()).toBe(1)
    expect(await own.t.store.get(held.id)).toMatchObject({ published: true, features: ['T13', 'T14'] })
    await context.close()
    await own.close()
  })

  it('renders a <script> in catalogue content as text', async () => {
    const { context, page } = await newPage()
    let dialogs = 0
    page.on('dialog', async (dialog) => {
      dialogs += 1
      await dialog.dismiss()
    })
    await page.goto(`/instruments/${seeded.hostile.id}`)
    expect(await page.locator('h1').textContent()).toBe('<script>alert("owned")</script> grant')
    await page.goto('/?features=G4')
    expect(await page.getByRole('link', { name: '<script>alert("owned")</script> grant' }).count()).toBe(1)
    expect(dialogs).toBe(0)
    await context.close()
  })

  it('admin: sign in, create (errors next to fields), edit, meet a version conflict, delete, restore, audit', async () => {
    const { context, page } = await newPage()
    page.on('dialog', (dialog) => dialog.accept())
    await page.goto('/admin')
    expect(page.url()).toContain('/admin/sign-in')
    await expectAccessible(page)
    await page.getByLabel('Your name').fill('alice')
    await Promise.all([page.waitForURL(/\/admin$/), page.getByRole('button', { name: 'Sign in' }).click()])
    expect(await page.getByText('Signed in as').textContent()).toContain('alice')
    await expectAccessible(page)
    await page.screenshot({ path: `${SCREENSHOTS}/admin.png`, fullPage: false })

    // Create: a first attempt with mistakes shows each error next to its field.
    await page.getByRole('link', { name: 'Add an instrument' }).click()
    await page.getByLabel('Name').fill('Browser-made call')
    await page.getByLabel('Kind').selectOption('call')
    await page.getByLabel('Origin').selectOption('national')
    await page.getByLabel('Official link').fill('not a url')
    await page.getByRole('button', { name: 'Add instrument' }).click()
    expect(await page.locator('#url-error').textContent()).toContain('absolute http(s) URL')
    expect(await page.locator('#country-error').textContent()).toContain('is required for national')
    expect(await page.locator('#features-error').textContent()).toContain('tick at least one feature')
    expect(await page.getByLabel('Name').inputValue()).toBe('Browser-made call')
    await expectAccessible(page)
    await page.screenshot({ path: `${SCREENSHOTS}/admin-form-errors.png`, fullPage: false })
    await page.getByLabel('Country').selectOption({ label: 'Denmark' })
    await page.getByLabel('Official link').fill('https://example.org/browser-call')
    await page.getByLabel('Deadline').fill('2027-05-31')
    await page.getByLabel('Cybersecurity').check()
    await page.getByLabel('AI (ML)').check()
    await Promise.all([
      page.waitForURL(/done=created/),
      page.getByRole('button', { name: 'Add instrument' }).click(),
    ])
    expect(await page.getByText('The instrument was added').count()).toBe(1)
    const { records } = await t.store.loadCatalogue()
    const created = records.find((record) => record.name === 'Browser-made call')
    expect(created).toMatchObject({ country: 'DK', features: ['T1', 'P12'], createdBy: 'alice', version: 1 })
    const id = created!.id

    // Two tabs edit the same version; the second save meets the conflict.
    const otherTab = await context.newPage()
    await otherTab.goto(`/admin/instruments/${id}/edit`)
    await page.goto(`/admin/instruments/${id}/edit`)
    await page.getByLabel('Name').fill('Browser-made call, first edit')
    await Promise.all([
      page.waitForURL(/done=updated/),
      page.getByRole('button', { name: 'Save changes' }).click(),
    ])
    await otherTab.getByLabel('Name').fill('Browser-made call, second edit')
    await otherTab.getByRole('button', { name: 'Save changes' }).click()
    expect(
      await otherTab.getByRole('heading', { name: 'Someone else saved this instrument first' }).count(),
    ).toBe(1)
    expect(await otherTab.getByText('it is now at version 2').count()).toBe(1)
    await expectAccessible(otherTab)
    await otherTab.screenshot({ path: `${SCREENSHOTS}/admin-conflict.png`, fullPage: false })
    expect((await t.store.get(id))?.name).toBe('Browser-made call, first edit')
    await otherTab.getByRole('link', { name: 'Reload the latest version' }).click()
    expect(await otherTab.getByLabel('Name').inputValue()).toBe('Browser-made call, first edit')
    await otherTab.close()

    // Delete (with the confirmation dialog), then restore from the archive.
    await page.goto('/admin?q=browser-made')
    await Promise.all([
      page.waitForURL(/done=deleted/),
      page.getByRole('button', { name: 'Delete Browser-made call, first edit' }).click(),
    ])
    expect(await t.store.get(id)).toBeUndefined()
    await page.getByRole('link', { name: 'Archive', exact: true }).click()
    await expectAccessible(page)
    await page.getByLabel('New deadline for Browser-made call, first edit').fill('2027-09-30')
    await Promise.all([
      page.waitForURL(/done=restored/),
      page.getByRole('button', { name: 'Restore Browser-made call, first edit' }).click(),
    ])
    expect((await t.store.get(id))?.deadline).toBe('2027-09-30')

    await page.getByRole('link', { name: 'Audit log' }).click()
    await expectAccessible(page)
    const actions = await page.locator('tbody tr td:nth-child(3)').allTextContents()
    expect(actions.slice(0, 4)).toEqual(['restored', 'deleted', 'updated', 'created'])
    await page.screenshot({ path: `${SCREENSHOTS}/admin-audit.png`, fullPage: false })

    // Sign out ends the session.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.goto('/admin')
    expect(page.url()).toContain('/admin/sign-in')
    await context.close()
  })
})
