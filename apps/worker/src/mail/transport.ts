import { join } from 'node:path'
import { ConveyorError } from '@conveyor/queue-core'
import { redactUrl } from '@conveyor/service-kit'
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer'
import { writeFileAtomic } from '../write-file-atomic.js'

/** What became of one message. */
export interface MailDelivery {
  messageId: string
  via: 'smtp' | 'outbox'
  /** the dev outbox file the message was written to */
  file?: string
}

/** Sends one message; a job's id names its outbox file, its signal cancels the send. */
export interface MailSender {
  /** where messages go, fit for a log line: an SMTP URL without its password, or a folder */
  readonly target: string
  send(message: SendMailOptions, job: { id: string; signal: AbortSignal }): Promise<MailDelivery>
  close(): void
}

interface SmtpFailure {
  responseCode?: unknown
  response?: unknown
}

/**
 * Sends through an SMTP transport. A 5xx answer (no such user, message refused) will
 * not change on a retry, so it fails the job for good; 4xx answers and network errors
 * are thrown as they are, and the job is retried.
 */
export function smtpSender(transport: Transporter, target: string): MailSender {
  return {
    target,
    async send(message, job) {
      // nodemailer takes no AbortSignal: the best we can do is not to start a send
      // for a job that was already given up.
      job.signal.throwIfAborted()
      try {
        const info = (await transport.sendMail(message)) as { messageId: string }
        return { messageId: info.messageId, via: 'smtp' }
      } catch (err) {
        const { responseCode, response } = err as SmtpFailure
        if (typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600) {
          const said = typeof response === 'string' ? response : String(responseCode)
          throw ConveyorError.permanent(`the SMTP server refused the message: ${said}`, err)
        }
        throw err
      }
    },
    close: () => transport.close(),
  }
}

/**
 * The dev outbox: each message is written as an RFC 822 `<jobId>.eml` file that a mail
 * client opens, encoded exactly as it would have gone over SMTP.
 */
export function outboxSender(dir: string): MailSender {
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'windows',
  })
  return {
    target: dir,
    async send(message, job) {
      job.signal.throwIfAborted()
      const info = await transport.sendMail(message)
      const file = join(dir, `${job.id}.eml`)
      await writeFileAtomic(file, info.message as Buffer)
      return { messageId: info.messageId, via: 'outbox', file }
    },
    close: () => transport.close(),
  }
}

/** SMTP when a URL is configured, else the dev outbox folder. */
export function createMailSender(options: { smtpUrl?: string; outboxDir: string }): MailSender {
  if (options.smtpUrl === undefined) return outboxSender(options.outboxDir)
  return smtpSender(nodemailer.createTransport(options.smtpUrl), redactUrl(options.smtpUrl))
}
