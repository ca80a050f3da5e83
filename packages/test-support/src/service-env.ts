import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SmsSink } from './sms-sink.js'

/**
 * The environment the three built apps share in a test: the Redis, a data dir, loopback
 * only, SMS through the fake Twilio-shaped sink, mail to the SMTP sink when given, and
 * a short shutdown grace. `overrides` adds or replaces anything else.
 */
export function servicesEnv(options: {
  redisUrl: string
  dataDir: string
  sms: SmsSink
  smtpUrl?: string
  overrides?: Record<string, string>
}): Record<string, string> {
  return {
    REDIS_URL: options.redisUrl,
    DATA_DIR: options.dataDir,
    HOST: '127.0.0.1',
    ...(options.smtpUrl === undefined ? {} : { SMTP_URL: options.smtpUrl }),
    SMS_PROVIDER: 'twilio',
    SMS_API_URL: options.sms.url,
    SMS_ACCOUNT_SID: options.sms.sid,
    SMS_AUTH_TOKEN: options.sms.token,
    SMS_FROM: '+15550009999',
    SHUTDOWN_GRACE_MS: '3000',
    ...options.overrides,
  }
}

/** Writes `schedules` to `<dataDir>/schedules.json` for SCHEDULES_FILE; returns the path. */
export async function writeSchedules(dataDir: string, schedules: unknown[]): Promise<string> {
  const path = join(dataDir, 'schedules.json')
  await writeFile(path, JSON.stringify(schedules))
  return path
}

/** A schedule firing every second: an SMS of "tick" to `phone`. */
export function tickSchedule(phone: string, extra: Record<string, unknown> = {}): unknown {
  return {
    name: 'tick',
    cron: '* * * * * *',
    type: 'sms',
    payload: { phone, message: 'tick' },
    ...extra,
  }
}
