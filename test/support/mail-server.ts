import type { AddressInfo } from 'node:net'
import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

/** One message as the SMTP server received it: the envelope, the raw source and its parsed form. */
export interface ReceivedMail {
  /** RCPT TO addresses. */
  to: string[]
  raw: string
  parsed: ParsedMail
  subject: string
  text: string
  html: string
  /** A header's value as sent (first occurrence), looked up case-insensitively; undefined if absent. */
  header(name: string): string | undefined
}

export interface TestMailServer {
  /** `smtp://127.0.0.1:<port>`: give it to the app as SMTP_URL. */
  url: string
  readonly messages: ReceivedMail[]
  /** Resolves once `count` messages have arrived in all (fails after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>
  /** Messages sent to one address. */
  to(address: string): ReceivedMail[]
  close(): Promise<void>
}

export interface TestMailServerOptions {
  /** Recipients the server refuses (550), as a real server refuses an unknown mailbox. */
  refuse?: (address: string) => boolean
}

/**
 * A real SMTP server in the test process (npm `smtp-server`): the app's nodemailer SMTP transport
 * talks to it over TCP exactly as to MailDev or any server, and every message is parsed with
 * `mailparser`, so tests assert on what a mail client would see.
 */
export async function startTestMailServer(options: TestMailServerOptions = {}): Promise<TestMailServer> {
  const messages: ReceivedMail[] = []
  const waiters: (() => void)[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.refuse?.(address.address)) {
        // Worded as Postfix refuses an unknown mailbox, naming the recipient.
        const error = Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected`), {
          responseCode: 550,
        })
        return callback(error)
      }
      callback()
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        const parsed = await simpleParser(raw)
        const rawHeaders = raw.slice(0, raw.search(/\r?\n\r?\n/))
        messages.push({
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw,
          parsed,
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
          html: typeof parsed.html === 'string' ? parsed.html : '',
          header: (name) => {
            const unfolded = rawHeaders.replace(/\r?\n[ \t]+/g, ' ')
            const match = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(unfolded)
            return match?.[1]?.trim()
          },
        })
        for (const wake of waiters.splice(0)) wake()
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as AddressInfo

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    to: (address) => messages.filter((message) => message.to.includes(address)),
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs
      while (messages.length < count) {
        const remaining = deadline - Date.now()
        if (remaining <= 0) throw new Error(`Expected ${count} message(s), got ${messages.length}`)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining)
          waiters.push(() => {
            clearTimeout(timer)
            resolve()
          })
        })
      }
      return messages
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
