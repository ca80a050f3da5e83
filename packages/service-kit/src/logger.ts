import { createRequire } from 'node:module'
import { pino, type Logger } from 'pino'
import type PinoPretty from 'pino-pretty'
import Type, { type Static } from 'typebox'

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

/**
 * LOG_FORMAT, in every service's config: `json` (one JSON object a line, for machines),
 * `pretty` (one readable line an event, for people), `auto` (pretty on a terminal).
 */
export const LogFormat = Type.Enum(['auto', 'pretty', 'json'], { default: 'auto' })
export type LogFormat = Static<typeof LogFormat>

export interface LoggerOptions {
  name: string
  level: string
  /** default `json` */
  format?: LogFormat
  /** whether the output is a terminal, for `auto`; default process.stdout.isTTY */
  isTty?: boolean
  /** where lines go; default stdout */
  destination?: NodeJS.WritableStream
}

/** `auto` made definite: pretty on a terminal, JSON into a pipe or a file. */
export function resolveLogFormat(format: LogFormat, isTty: boolean): 'pretty' | 'json' {
  if (format === 'auto') return isTty ? 'pretty' : 'json'
  return format
}

// Loaded only for a pretty logger: production processes (JSON) never load it.
const requireLazily = createRequire(import.meta.url)

function prettyStream(destination: NodeJS.WritableStream | undefined): PinoPretty.PrettyStream {
  const pretty = requireLazily('pino-pretty') as typeof PinoPretty
  return pretty({
    // Synchronous, in this thread: a line is on the terminal before the process exits.
    sync: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    // The launcher already says which service a line comes from.
    ignore: 'pid,hostname,service,name',
    ...(destination ? { destination } : {}),
  })
}

export function createLogger(options: LoggerOptions): Logger {
  const format = resolveLogFormat(options.format ?? 'json', options.isTty ?? !!process.stdout.isTTY)
  const settings = {
    name: options.name,
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: options.name },
  }
  if (format === 'pretty') return pino(settings, prettyStream(options.destination))
  return options.destination ? pino(settings, options.destination) : pino(settings)
}

export type { Logger }
