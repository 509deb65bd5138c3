import { SESv2Client, type SendEmailCommand } from '@aws-sdk/client-sesv2'
import { simpleParser } from 'mailparser'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { sendDigests } from '../../shared/subscriptions/digest/send-digests'
import { createTestContext } from '../support/context'
import { instrumentInput } from '../support/factories'
import { BASE_URL } from './support'

const CONFIGURATION_SET = 'fundfinder-mail'

afterEach(() => {
  vi.restoreAllMocks()
})

/**
 * The SES way out, as deployed (`MAIL_TRANSPORT=ses`): the real mailer, nodemailer's SES transport
 * and SESv2 client, with only the client's `send` replaced, so no request leaves the process. Every
 * SendEmail command is kept, with its raw MIME message parsed as a mail client would.
 */
function captureSesSends() {
  const commands: SendEmailCommand[] = []
  vi.spyOn(SESv2Client.prototype, 'send').mockImplementation((async (command: SendEmailCommand) => {
    commands.push(command)
    return { MessageId: `0102019a-${commands.length}`, $metadata: { httpStatusCode: 200 } }
  }) as never)
  const raw = (index: number) => {
    const data = commands[index]?.input.Content?.Raw?.Data
    if (!data) throw new Error(`No raw message in SendEmail command ${index}`)
    return Buffer.from(data).toString('utf8')
  }
  /** A header's value as sent (unfolded, first occurrence), from the raw message's header block. */
  const header = (index: number, name: string) => {
    const message = raw(index)
    const block = message.slice(0, message.search(/\r?\n\r?\n/)).replace(/\r?\n[ \t]+/g, ' ')
    return new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(block)?.[1]?.trim()
  }
  return { commands, raw, header, parsed: (index: number) => simpleParser(raw(index)) }
}

describe('sending through Amazon SES (MAIL_TRANSPORT=ses)', () => {
  it('hands SES the raw message with List-Unsubscribe and List-Unsubscribe-Post, in the configuration set', async () => {
    const ses = captureSesSends()
    const t = await createTestContext({
      env: {
        MAIL_TRANSPORT: 'ses',
        SES_CONFIGURATION_SET: CONFIGURATION_SET,
        PUBLIC_BASE_URL: BASE_URL,
        MAIL_FROM: 'fundfinder digests <digests@fundfinder.example>',
      },
    })
    expect(t.config.mail.smtpUrl).toBeUndefined()

    const requested = await t.call('POST', '/v1/subscriptions', {
      body: { email: 'ada@example.org', query: 'features=T13&country=DK', frequency: 'daily' },
    })
    expect(requested.status).toBe(202)
    expect(ses.commands).toHaveLength(1)
    const confirmation = await ses.parsed(0)
    const token = /\/subscriptions\/confirm\?token=([\w.%-]+)/.exec(confirmation.text ?? '')?.[1]
    expect(token).toBeDefined()
    expect(
      (await t.call('POST', '/v1/subscriptions/confirm', { body: { token: decodeURIComponent(token!) } }))
        .status,
    ).toBe(200)

    t.clock.set('2026-11-22T12:00:00Z')
    await t.store.create(
      instrumentInput({ name: 'Drone detection pilots', features: ['T13'], country: 'DK' }),
      'editor',
      t.clock.now(),
    )
    t.clock.set('2026-11-23T06:00:00Z')
    expect(await sendDigests(t.deps, { at: t.clock.now() })).toMatchObject({ due: 1, sent: 1, failed: 0 })
    expect(ses.commands).toHaveLength(2)

    // Every email goes through the configuration set, whose event destination reports bounces and
    // complaints: the confirmation as much as the digest.
    for (const command of ses.commands) {
      expect(command.input).toMatchObject({
        ConfigurationSetName: CONFIGURATION_SET,
        Destination: { ToAddresses: ['ada@example.org'] },
      })
      expect(command.input.FromEmailAddress).toContain('digests@fundfinder.example')
    }

    const digest = await ses.parsed(1)
    expect(digest.subject).toBe('Your daily fundfinder digest: 1 new')
    expect(digest.text).toContain('Drone detection pilots')
    const listUnsubscribe = ses.header(1, 'List-Unsubscribe')
    expect(listUnsubscribe).toMatch(
      new RegExp(`^<${BASE_URL.replace(/\./g, '\\.')}/subscriptions/unsubscribe\\?token=[\\w.%-]+>$`),
    )
    expect(ses.header(1, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click')
    expect(ses.header(1, 'Auto-Submitted')).toBe('auto-generated')

    // The header's URL is the one-click link: a mail client's POST there unsubscribes.
    const url = new URL(listUnsubscribe!.slice(1, -1))
    const oneClick = await t.app.request(`${url.pathname}${url.search}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    })
    expect(oneClick.status).toBe(200)
    t.clock.set('2026-11-24T06:00:00Z')
    expect(await sendDigests(t.deps, { at: t.clock.now() })).toMatchObject({ due: 0 })
    expect(ses.commands).toHaveLength(2)
  })
})
