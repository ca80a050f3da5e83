import type { EmailPayload, JobHandler } from '@conveyor/queue-core'
import type { Logger } from '@conveyor/service-kit'
import type { MailSender } from '../mail/transport.js'

export interface EmailResult {
  messageId: string
  via: 'smtp' | 'outbox'
}

/**
 * Sends an email job: `body` as the text part, `html` (if given) as its alternative.
 * nodemailer encodes non-ASCII headers and bodies, so Vietnamese text arrives intact.
 */
export function emailHandler(deps: {
  mail: MailSender
  from: string
  logger: Logger
}): JobHandler<EmailPayload> {
  return async (job) => {
    const { to, subject, body, html } = job.payload
    const delivery = await deps.mail.send(
      { from: deps.from, to, subject, text: body, ...(html === undefined ? {} : { html }) },
      { id: job.id, signal: job.signal },
    )
    if (delivery.file === undefined) {
      deps.logger.info({ jobId: job.id, messageId: delivery.messageId }, 'email sent over SMTP')
    } else {
      deps.logger.info({ jobId: job.id, file: delivery.file }, 'email written to the outbox')
    }
    const result: EmailResult = { messageId: delivery.messageId, via: delivery.via }
    return result
  }
}
