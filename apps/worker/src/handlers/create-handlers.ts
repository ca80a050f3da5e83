import type { HandlerMap } from '@conveyor/queue-core'
import type { ConveyorJobTypes, Logger, Storage } from '@conveyor/service-kit'
import type { MailSender } from '../mail/transport.js'
import type { SmsProvider } from '../sms/provider.js'
import { convertHandler } from './convert.js'
import { emailHandler } from './email.js'
import { smsHandler } from './sms.js'

/** Everything the handlers use from outside; tests pass their own. */
export interface HandlerDeps {
  logger: Logger
  storage: Storage
  mail: MailSender
  /** the From header of every email */
  mailFrom: string
  sms: SmsProvider
  /** CONVERT_MAX_PIXELS */
  maxPixels: number
}

/** One handler per job type of the shared catalog. */
export function createHandlers(deps: HandlerDeps): HandlerMap<ConveyorJobTypes> {
  return {
    email: emailHandler({ mail: deps.mail, from: deps.mailFrom, logger: deps.logger }),
    sms: smsHandler({ sms: deps.sms }),
    convert: convertHandler({
      storage: deps.storage,
      maxPixels: deps.maxPixels,
      logger: deps.logger,
    }),
  }
}
