import { ConvertPayload } from './schemas/convert.js'
import { EmailPayload } from './schemas/email.js'
import { SmsPayload } from './schemas/sms.js'

/** The seed's three job types; spread into defineJobTypes() next to your own. */
export const builtinJobTypes = {
  email: { schema: EmailPayload, description: 'Send an email (SMTP or the dev outbox)' },
  sms: { schema: SmsPayload, description: 'Send an SMS through the configured provider' },
  convert: {
    schema: ConvertPayload,
    // Conversions are slow and CPU-bound: their own queue keeps emails and SMS flowing.
    queue: 'convert',
    defaults: { timeoutMs: 300_000 },
    description: 'Convert an uploaded file to another format',
  },
} as const
