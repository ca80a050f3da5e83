import { pino, type Logger } from 'pino'

/**
 * Paths pino blanks out in every log line: credentials must never reach a log, even
 * when a whole request or config object is logged by mistake.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'config.API_KEYS',
  'config.SMTP_URL',
  'config.REDIS_URL',
  'config.SMS_AUTH_TOKEN',
  '*.password',
  '*.pass',
  '*.authToken',
  '*.apiKey',
]

export function createLogger(options: { name: string; level: string }): Logger {
  return pino({
    name: options.name,
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: options.name },
  })
}

export type { Logger }
