import { Metrics } from '@aws-lambda-powertools/metrics'
import { ScanCommand } from '@aws-sdk/lib-dynamodb'
import type { SNSEvent } from 'aws-lambda'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createFeedbackHandler } from '../../functions/mail-feedback/handler'
import { silentLogger } from '../../shared/platform/logger'
import { addressHash } from '../../shared/subscriptions/email-address'
import { type SubscriptionContext, subscriptionContext } from './support'

/** An SES event-publishing notification (configuration set -> SNS), as SES sends it. */
function sesEvent(eventType: 'Bounce' | 'Complaint', recipients: string[], bounceType = 'Permanent') {
  return {
    eventType,
    mail: {
      timestamp: '2026-11-23T06:00:05.000Z',
      source: 'digests@fundfinder.example',
      messageId: '0102019a-example',
      destination: recipients,
    },
    ...(eventType === 'Bounce'
      ? {
          bounce: {
            bounceType,
            bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull',
            bouncedRecipients: recipients.map((emailAddress) => ({ emailAddress, status: '5.1.1' })),
            timestamp: '2026-11-23T06:00:06.000Z',
          },
        }
      : {
          complaint: {
            complainedRecipients: recipients.map((emailAddress) => ({ emailAddress })),
            complaintFeedbackType: 'abuse',
            timestamp: '2026-11-23T07:00:00.000Z',
          },
        }),
  }
}

function snsEvent(...messages: unknown[]): SNSEvent {
  return {
    Records: messages.map((message, index) => ({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:mail-feedback:sub',
      Sns: {
        Type: 'Notification',
        MessageId: `message-${index}`,
        TopicArn: 'arn:aws:sns:eu-west-1:123456789012:mail-feedback',
        Subject: 'Amazon SES Email Event Notification',
        Message: typeof message === 'string' ? message : JSON.stringify(message),
        Timestamp: '2026-11-23T06:00:07.000Z',
        SignatureVersion: '1',
        Signature: 'EXAMPLE',
        SigningCertUrl: 'https://sns.eu-west-1.amazonaws.com/cert.pem',
        UnsubscribeUrl: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe',
        MessageAttributes: {},
      },
    })),
  }
}

function feedbackHandler(t: SubscriptionContext) {
  return createFeedbackHandler(() => ({
    subscriptionStore: t.deps.subscriptionStore,
    clock: t.clock,
    logger: silentLogger,
    metrics: new Metrics({ namespace: 'fundfinder', serviceName: 'fundfinder-mail-feedback' }),
  }))
}

async function items(t: SubscriptionContext) {
  const { Items } = await t.client.send(new ScanCommand({ TableName: t.tableName, ConsistentRead: true }))
  return Items ?? []
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('bounces and complaints', () => {
  it('a permanent bounce suppresses the address (by hash) and deletes all its subscriptions; it is never mailed again', async () => {
    const t = await subscriptionContext()
    await t.subscribeConfirmed({ email: 'gone@example.org', query: 'features=T13', frequency: 'daily' })
    await t.subscribeConfirmed({ email: 'gone@example.org', query: 'features=P3', frequency: 'weekly' })
    await t.subscribe({ email: 'gone@example.org', query: 'features=G1', frequency: 'daily' }) // still pending
    await t.subscribeConfirmed({ email: 'stays@example.org', query: 'features=T13', frequency: 'daily' })
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)

    const result = await feedbackHandler(t)(snsEvent(sesEvent('Bounce', ['Gone <GONE@example.org>'])))
    write.mockRestore()
    expect(result).toEqual({ suppressed: 1, deleted: 3 })

    const all = await items(t)
    expect(JSON.stringify(all)).not.toContain('gone@example.org')
    expect(all.filter((item) => item.sk === 'SUBSCRIPTION').map((item) => item.email)).toEqual([
      'stays@example.org',
    ])
    expect(all).toContainEqual(
      expect.objectContaining({
        pk: `ADDRESS#${addressHash('gone@example.org')}`,
        sk: 'SUPPRESSED',
        reason: 'bounce',
      }),
    )

    // A new request for the address (the next day, past today's 3): the same 202, and no email.
    const sent = t.mail.messages.length
    t.clock.set('2026-11-23T05:00:00Z')
    const again = await t.subscribe({ email: 'gone@example.org', query: 'features=T13', frequency: 'daily' })
    expect(again.status).toBe(202)
    expect(again.json).toEqual({ status: 'pending-confirmation' })
    await t.createInstrument({ features: ['T13'] })
    await t.runDigests('2026-11-23T06:00:00Z')
    expect(t.mail.messages.slice(sent).flatMap((message) => message.to)).toEqual(['stays@example.org'])
  })

  it('a complaint suppresses too; a transient bounce and messages that are not SES events change nothing', async () => {
    const t = await subscriptionContext()
    await t.subscribeConfirmed({ email: 'angry@example.org', query: 'features=T13', frequency: 'daily' })
    await t.subscribeConfirmed({ email: 'full@example.org', query: 'features=T13', frequency: 'daily' })
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const result = await feedbackHandler(t)(
      snsEvent(
        sesEvent('Bounce', ['full@example.org'], 'Transient'),
        sesEvent('Complaint', ['angry@example.org']),
        'not json at all',
        { eventType: 'Delivery', mail: {} },
      ),
    )
    write.mockRestore()
    expect(result).toEqual({ suppressed: 1, deleted: 1 })
    const subscribers = (await items(t))
      .filter((item) => item.sk === 'SUBSCRIPTION')
      .map((item) => item.email)
    expect(subscribers).toEqual(['full@example.org'])
    const stats = await t.deps.subscriptions.stats()
    expect(stats.last7Days).toMatchObject({ suppressed: 1, confirmed: 2 })
  })

  it("an admin lifts a suppression at the owner's word: the address may ask again, and nothing is resubscribed", async () => {
    const t = await subscriptionContext()
    await t.subscribeConfirmed({ email: 'back@example.org', query: 'features=T13', frequency: 'daily' })
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    await feedbackHandler(t)(snsEvent(sesEvent('Complaint', ['back@example.org'])))
    write.mockRestore()
    const lift = async (body: unknown, roles = ['admin']) =>
      t.call('POST', '/v1/admin/subscriptions/suppressions/lift', {
        body,
        headers: { authorization: `Bearer ${await t.token({ roles, subject: 'ada-admin' })}` },
      })

    // Editors cannot; a malformed address is a 400; both change nothing.
    expect((await lift({ email: 'back@example.org' }, ['editor'])).status).toBe(403)
    const malformed = await lift({ email: 'back@example.org\r\nBcc: x@example.org' })
    expect(malformed.status).toBe(400)
    expect(malformed.json.errors).toEqual([expect.objectContaining({ path: 'email' })])
    expect(await t.deps.subscriptionStore.isSuppressed(addressHash('back@example.org'))).toBe(true)

    const info = vi.spyOn(t.deps.logger, 'info')
    const lifted = await lift({ email: ' Back@Example.org ' })
    expect(lifted.status, lifted.text).toBe(200)
    expect(lifted.headers.get('cache-control')).toBe('no-store')
    expect(lifted.json).toEqual({ reason: 'complaint', suppressedAt: t.clock.now().toISOString() })
    expect(info).toHaveBeenCalledWith('suppression lifted', {
      address: 'b***@example.org',
      reason: 'complaint',
      suppressedAt: t.clock.now().toISOString(),
      liftedBy: 'ada-admin',
    })
    expect(JSON.stringify(info.mock.calls)).not.toContain('back@example.org')
    expect(await t.deps.subscriptionStore.isSuppressed(addressHash('back@example.org'))).toBe(false)
    // Nothing was resubscribed: the complaint ended the subscription, and it stays ended.
    expect((await items(t)).filter((item) => item.sk === 'SUBSCRIPTION')).toEqual([])
    // Lifted once: a second lift finds nothing.
    const again = await lift({ email: 'back@example.org' })
    expect(again.status).toBe(404)
    expect(again.json.detail).toMatch(/not suppressed/)

    // The owner asks again, straight away: a confirmation email, as for anyone.
    const sent = t.mail.messages.length
    const request = await t.subscribe({
      email: 'back@example.org',
      query: 'features=T13',
      frequency: 'daily',
    })
    expect(request.status).toBe(202)
    const [confirmation] = (await t.mail.waitFor(sent + 1)).slice(sent)
    expect(confirmation?.to).toEqual(['back@example.org'])
    expect(confirmation?.text).toMatch(/confirm/i)
  })
})
