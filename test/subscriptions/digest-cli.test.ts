import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BASE_URL, type SubscriptionContext, subscriptionContext } from './support'

/** `npm run digest` as an operator runs it: a separate process on the test's table and SMTP server. */
const run = promisify(execFile)
let scratch: string

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'fundfinder-digest-cli-'))
})
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})

// Confirmed on Sunday 2026-11-22 (the context's clock): the first daily digest is due at 07:00
// Brussels time on Monday, an instant in the past, as `--at` requires.
const MONDAY_0700_BRUSSELS = '2026-11-23T07:00:00+01:00'

/** Runs the script against `t`'s table and mail server (never a DynamoDB Local or MailDev of its own). */
async function digestCli(t: SubscriptionContext, args: string[]) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'scripts/digest.ts', ...args],
      {
        env: {
          PATH: process.env.PATH,
          LOG_LEVEL: 'silent',
          DEV_ISSUER_KEY_FILE: path.join(scratch, 'dev-issuer-key.json'),
          DYNAMODB_ENDPOINT: t.config.dynamodbEndpoint as string,
          TABLE_NAME: t.tableName,
          SMTP_URL: t.mail.url,
          PUBLIC_BASE_URL: BASE_URL,
        },
        timeout: 60_000,
      },
    )
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

const lastLine = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) as string)

/** A confirmed daily saved search and, after its confirmation, one call that newly matches it. */
async function dueDigest(t: SubscriptionContext) {
  await t.subscribeConfirmed({
    email: 'ada@example.org',
    query: 'features=T13&country=DK',
    frequency: 'daily',
  })
  t.clock.set('2026-11-22T12:00:00Z')
  await t.createInstrument({ name: 'Drone detection pilots', features: ['T13'], country: 'DK' })
}

describe('npm run digest', () => {
  it('sends the due digests once and prints { due, sent, empty, failed } as its last line', async () => {
    const t = await subscriptionContext()
    await dueDigest(t)

    const result = await digestCli(t, ['--at', MONDAY_0700_BRUSSELS])
    expect(result.code, result.stderr).toBe(0)
    expect(lastLine(result.stdout)).toEqual({ due: 1, sent: 1, empty: 0, failed: 0 })
    const [, digest] = await t.mail.waitFor(2)
    expect(digest!.to).toEqual(['ada@example.org'])
    expect(digest!.text).toContain('Drone detection pilots')

    // The same period again: already claimed, nothing due, no second email.
    const again = await digestCli(t, ['--at', MONDAY_0700_BRUSSELS])
    expect(again.code, again.stderr).toBe(0)
    expect(lastLine(again.stdout)).toEqual({ due: 0, sent: 0, empty: 0, failed: 0 })
    expect(t.mail.messages).toHaveLength(2)
  }, 90_000)

  it('exits 1 when a digest could not be sent', async () => {
    let refusing = false
    const t = await subscriptionContext({ mail: { refuse: () => refusing } })
    await dueDigest(t)
    refusing = true

    const result = await digestCli(t, ['--at', MONDAY_0700_BRUSSELS])
    expect(result.code).toBe(1)
    expect(lastLine(result.stdout)).toEqual({ due: 1, sent: 0, empty: 0, failed: 1 })
    expect(t.mail.messages).toHaveLength(1)
  }, 90_000)

  it('exits 2, before reading the table, on an --at that is unparsable, without an offset or in the future, or an unknown argument', async () => {
    const t = await subscriptionContext()
    await dueDigest(t)
    const tomorrow = new Date(Date.now() + 24 * 3600_000).toISOString()
    for (const [args, message] of [
      [['--at', 'last monday'], /--at must be a date-time with an offset/],
      [['--at', '2026-11-23T07:00:00'], /--at must be a date-time with an offset/],
      [['--at', tomorrow], /--at must not be in the future/],
      [['--frequency', 'daily'], /Unknown option '--frequency'[\s\S]*Usage: npm run digest/],
      [['now'], /Usage: npm run digest/],
    ] as const) {
      const result = await digestCli(t, [...args])
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2)
      expect(result.stderr).toMatch(message)
      expect(result.stdout).not.toMatch(/"due"/)
    }
    // Nothing was claimed: the period is still due, and a good run sends it.
    expect(t.mail.messages).toHaveLength(1)
    expect(lastLine((await digestCli(t, ['--at', MONDAY_0700_BRUSSELS])).stdout)).toMatchObject({ sent: 1 })
  }, 120_000)
})
