import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { dirname } from 'node:path'
import { MailDev } from 'maildev'
import { freePort } from './dynamodb-local'

/** Where a running `npm start` says which SMTP server (its MailDev) the other scripts should use. */
const SMTP_URL_FILE = '.local/smtp-url'

export interface LocalMail {
  smtpUrl: string
  /** MailDev's web inbox: every email the service sends locally lands there. */
  inboxUrl: string
  stop(): Promise<void>
}

async function portOr(preferred: number): Promise<number> {
  return (await reachable('127.0.0.1', preferred)) ? freePort() : preferred
}

/**
 * Starts MailDev (npm `maildev`): an SMTP server that keeps every message and a web inbox to read
 * them, on 127.0.0.1 only. Its usual ports (1025, 1080) when free, others otherwise. With `publish`,
 * `npm run digest` and the other scripts find it while this process runs.
 */
export async function startMailDev(options: { publish?: boolean } = {}): Promise<LocalMail> {
  const smtp = await portOr(1025)
  const web = await portOr(1080)
  const maildev = new MailDev({ smtp, web, ip: '127.0.0.1', webIp: '127.0.0.1', silent: true })
  await maildev.start()
  const smtpUrl = `smtp://127.0.0.1:${smtp}`
  if (options.publish) {
    await mkdir(dirname(SMTP_URL_FILE), { recursive: true })
    await writeFile(SMTP_URL_FILE, smtpUrl)
  }
  return {
    smtpUrl,
    inboxUrl: `http://localhost:${web}`,
    async stop() {
      if (options.publish) await rm(SMTP_URL_FILE, { force: true })
      await maildev.stop()
    },
  }
}

/** The SMTP URL of a running `npm start`'s MailDev, if one is running. */
export async function runningLocalSmtpUrl(): Promise<string | undefined> {
  const url = (await readFile(SMTP_URL_FILE, 'utf8').catch(() => '')).trim()
  if (!url) return undefined
  const { hostname, port } = new URL(url)
  return (await reachable(hostname, Number(port))) ? url : undefined
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    socket.setTimeout(1000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', () => resolve(false))
  })
}
