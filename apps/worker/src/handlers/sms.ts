import type { JobHandler, SmsPayload } from '@conveyor/queue-core'
import type { SmsProvider } from '../sms/provider.js'

export interface SmsResult {
  provider: string
  providerId: string
}

/** Sends an SMS job through the configured provider; the provider decides what is permanent. */
export function smsHandler(deps: { sms: SmsProvider }): JobHandler<SmsPayload> {
  return async (job) => {
    const { providerId } = await deps.sms.send(
      { to: job.payload.phone, body: job.payload.message, jobId: job.id },
      job.signal,
    )
    const result: SmsResult = { provider: deps.sms.name, providerId }
    return result
  }
}
