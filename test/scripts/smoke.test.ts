import { execFile } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { promisify } from 'node:util'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { runSmoke } from '../../scripts/lib/smoke'
import { createTestContext } from '../support/context'
import { seedInstruments } from '../support/factories'

const run = promisify(execFile)

/** Serves an app on a free local port for the duration of `use`. */
async function served<T>(
  fetch: (request: Request) => Response | Promise<Response>,
  use: (url: string) => Promise<T>,
) {
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  try {
    return await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
}

/** `npm run smoke -- ...` as a user runs it: a new process, its output and exit code. */
async function smokeCli(args: string[]) {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/smoke.ts', ...args], {
      timeout: 60_000,
    })
    return { code: 0, stdout }
  } catch (error) {
    const failed = error as { code: number; stdout: string }
    return { code: failed.code, stdout: failed.stdout }
  }
}

describe('npm run smoke', () => {
  it('passes against a working app, and its write round trip leaves the catalogue as it was', async () => {
    const t = await createTestContext({ now: new Date().toISOString() })
    const [seeded] = await seedInstruments(t, [{ name: 'Already there', deadline: '2099-06-30' }])
    const token = await t.token({ roles: ['admin'], subject: 'smoke-tester' })

    const { code, stdout } = await served(t.app.fetch, (url) => smokeCli(['--url', url, '--token', token]))

    expect(code, stdout).toBe(0)
    const lines = stdout.trim().split('\n')
    const checks = lines.filter((line) => /^(ok|FAIL) /.test(line))
    expect(checks.map((line) => line.split(/\s{2,}/)[1]?.trim())).toEqual([
      'health',
      'taxonomy',
      'search',
      'detail',
      'openapi',
      'docs',
      'not found is a problem',
      'a write without a token is refused',
      'create',
      'read back',
      'update',
      'delete (clean up)',
    ])
    expect(checks.every((line) => line.startsWith('ok '))).toBe(true)
    expect(JSON.parse(lines.at(-1) ?? '')).toMatchObject({ checks: 12, passed: 12, failed: 0 })
    // Cleaned up: the live catalogue holds what it held; the smoke instrument is archived as deleted.
    expect((await t.store.loadCatalogue()).records.map((record) => record.id)).toEqual([seeded?.id])
    const audit = (await t.store.listAudit({ limit: 10 })).items.map((event) => event.action)
    expect(audit).toEqual(expect.arrayContaining(['created', 'updated', 'deleted']))
  }, 90_000)

  it('fails, naming the check, when the clean-up is refused (an editor cannot delete)', async () => {
    const t = await createTestContext({ now: new Date().toISOString() })
    const token = await t.token({ roles: ['editor'] })
    const result = await served(t.app.fetch, (url) => runSmoke({ url, token }))
    expect(result.ok).toBe(false)
    const failed = result.checks.filter((check) => !check.ok)
    expect(failed.map((check) => check.name)).toEqual(['delete (clean up)'])
    expect(failed[0]?.detail).toMatch(/delete it as an admin.*expected 204, got 403/s)
    // Without a token the catalogue is empty: the detail check says so instead of failing.
    const empty = await createTestContext()
    const anonymous = await served(empty.app.fetch, (url) => runSmoke({ url }))
    expect(anonymous.ok).toBe(true)
    expect(anonymous.checks.find((check) => check.name === 'detail')?.detail).toMatch(/^skipped/)
  }, 60_000)

  it('exits non-zero when the stack is broken, and on a usage error', async () => {
    const broken = new Hono()
      .get('/health', (c) => c.json({ status: 'down' }, 503))
      .all('*', (c) => c.text('upstream error', 502))
    const { code, stdout } = await served(broken.fetch, (url) => smokeCli(['--url', url]))
    expect(code).toBe(1)
    expect(stdout).toMatch(/^FAIL\s+health\s+.*expected 200, got 503/m)
    expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({ passed: 0, failed: 8 })
    expect((await smokeCli([])).code).toBe(2)
  }, 60_000)
})
