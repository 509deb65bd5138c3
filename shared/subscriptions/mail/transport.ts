import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2'
import nodemailer, { type Transporter } from 'nodemailer'
import type { MailConfig } from '../../platform/config'

/**
 * nodemailer's transport for the configured way out: SMTP (MailDev locally, any server through
 * SMTP_URL, the tests' in-process server) or Amazon SES v2 in AWS (nodemailer's SES transport hands
 * the raw message to SendEmail). A module of its own so that it loads with the first email only
 * (./mailer.ts): nodemailer and the SES client are a large part of a bundle that rarely sends.
 */
export function createTransport(mail: MailConfig, region: string): Transporter {
  return mail.transport === 'ses'
    ? nodemailer.createTransport({ SES: { sesClient: new SESv2Client({ region }), SendEmailCommand } })
    : nodemailer.createTransport(mail.smtpUrl as string)
}
