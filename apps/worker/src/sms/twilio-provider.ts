import { ConveyorError } from '@conveyor/queue-core'
import type { SmsProvider } from './provider.js'

export interface TwilioOptions {
  /** e.g. https://api.twilio.com; a test points it at a local server */
  apiUrl: string
  accountSid: string
  authToken: string
  from: string
  /** a provider that does not answer within this many ms fails the attempt; default 30 s */
  timeoutMs?: number
}

/**
 * Sends through Twilio's Messages API (or anything speaking its shape). 201 with a
 * `sid` is success; 429, 5xx and network errors are retried; any other answer is a
 * refusal that a retry will not fix.
 */
export function twilioSmsProvider(options: TwilioOptions): SmsProvider {
  const base = options.apiUrl.replace(/\/+$/, '')
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`
  const auth = Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')
  const timeoutMs = options.timeoutMs ?? 30_000
  return {
    name: 'twilio',
    async send(message, signal) {
      const form = new URLSearchParams({ To: message.to, From: options.from, Body: message.body })
      let response: Response
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: {
            authorization: `Basic ${auth}`,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: form.toString(),
          // A redirect would turn the POST into something else: treat it as an answer.
          redirect: 'manual',
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        })
      } catch (err) {
        // The job's own abort (timeout, shutdown, lost lease) must reach the worker as is.
        if (signal.aborted) throw signal.reason
        if (err instanceof Error && err.name === 'TimeoutError')
          throw new Error(`the SMS provider did not answer within ${timeoutMs} ms`, { cause: err })
        throw new Error(`the SMS provider could not be reached: ${describe(err)}`, { cause: err })
      }
      const text = await response.text()
      const body = parseJson(text)
      const status = response.status
      if (status >= 200 && status < 300) {
        const sid = body?.sid
        // Accepted but unreadable: the message may well be on its way, and a retry
        // could send it twice.
        if (typeof sid !== 'string')
          throw ConveyorError.permanent(`the SMS provider answered ${status} without a sid`)
        return { providerId: sid }
      }
      const why = `the SMS provider answered ${status}: ${summary(body, text)}`
      if (status === 429 || status >= 500) throw new Error(why)
      throw ConveyorError.permanent(why)
    },
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/** Twilio's error body is { code, message, more_info, status }; anything else is quoted short. */
function summary(body: Record<string, unknown> | undefined, text: string): string {
  if (typeof body?.message === 'string') {
    return typeof body.code === 'number' || typeof body.code === 'string'
      ? `${body.message} (code ${body.code})`
      : body.message
  }
  return text.trim().slice(0, 200) || '(empty body)'
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  // undici puts the real reason (ECONNREFUSED, ENOTFOUND…) in `cause`.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : ''
  return `${err.message}${cause}`
}
