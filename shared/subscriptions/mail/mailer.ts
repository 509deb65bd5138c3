import type { Transporter } from 'nodemailer'
import type { MailConfig } from '../../platform/config'
import { MailUnavailable } from '../errors'

/** One email, as the subscription code writes it: both parts already rendered and escaped. */
export interface OutgoingEmail {
  to: string
  subject: string
  text: string
  html: string
  /**
   * The one-click unsubscribe URL (RFC 8058): sent as `List-Unsubscribe` with
   * `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. Every digest has one.
   */
  unsubscribeUrl?: string | undefined
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>
  close(): void
}

/**
 * The one sending code path: nodemailer, composing the same MIME message for every transport. Only
 * the transport differs: SMTP (MailDev locally, any server through SMTP_URL, the tests' in-process
 * server) or Amazon SES v2 in AWS (nodemailer's SES transport hands the raw message to SendEmail,
 * with the configuration set that reports bounces and complaints). The transport is built with the
 * first email (./transport.ts), so that a cold start that sends none does not load it.
 */
export function createMailer(mail: MailConfig, region: string): Mailer {
  if (mail.transport === 'none') return unavailableMailer
  let transporter: Transporter | undefined
  const ses = mail.transport === 'ses' && mail.sesConfigurationSet
  return {
    async send(email) {
      if (!transporter) {
        const { createTransport } = await import('./transport')
        transporter ??= createTransport(mail, region)
      }
      const info = await transporter.sendMail({
        from: mail.from,
        ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        headers: {
          // RFC 3834: no vacation or out-of-office replies to automated mail.
          'Auto-Submitted': 'auto-generated',
          ...(email.unsubscribeUrl ? { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
        },
        ...(email.unsubscribeUrl ? { list: { unsubscribe: email.unsubscribeUrl } } : {}),
        ...(ses ? { ses: { ConfigurationSetName: ses } } : {}),
        // Nothing in a message is ever fetched from a URL or a file.
        disableUrlAccess: true,
        disableFileAccess: true,
      })
      return { messageId: String(info.messageId ?? '') }
    },
    close: () => transporter?.close(),
  }
}

const unavailableMailer: Mailer = {
  send: async () => {
    throw new MailUnavailable('no mail transport is configured (set SMTP_URL or MAIL_TRANSPORT).')
  },
  close: () => {},
}
