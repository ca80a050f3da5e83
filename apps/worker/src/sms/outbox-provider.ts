import { join } from 'node:path'
import type { Logger } from '@conveyor/service-kit'
import { writeFileAtomic } from '../write-file-atomic.js'
import type { SmsProvider } from './provider.js'

/** The dev SMS provider: writes each message as `<jobId>.json` ({ to, body, at }) in `dir`. */
export function outboxSmsProvider(options: { dir: string; logger: Logger }): SmsProvider {
  return {
    name: 'outbox',
    async send(message, signal) {
      signal.throwIfAborted()
      const file = join(options.dir, `${message.jobId}.json`)
      const record = { to: message.to, body: message.body, at: new Date().toISOString() }
      await writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`)
      options.logger.info({ jobId: message.jobId, file }, 'sms written to the outbox')
      return { providerId: `outbox:${message.jobId}` }
    },
  }
}
