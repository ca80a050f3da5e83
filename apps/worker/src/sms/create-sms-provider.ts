import type { Logger } from '@conveyor/service-kit'
import type { WorkerConfig } from '../config.js'
import { outboxSmsProvider } from './outbox-provider.js'
import type { SmsProvider } from './provider.js'
import { twilioSmsProvider } from './twilio-provider.js'

/** The provider SMS_PROVIDER names; the config check has made sure Twilio's variables are set. */
export function createSmsProvider(options: {
  config: WorkerConfig
  outboxDir: string
  logger: Logger
}): SmsProvider {
  const { config } = options
  if (config.SMS_PROVIDER === 'outbox')
    return outboxSmsProvider({ dir: options.outboxDir, logger: options.logger })
  return twilioSmsProvider({
    apiUrl: config.SMS_API_URL,
    accountSid: config.SMS_ACCOUNT_SID ?? '',
    authToken: config.SMS_AUTH_TOKEN ?? '',
    from: config.SMS_FROM ?? '',
  })
}
