import { ConveyorError, DEFAULTS, KEY_PREFIX_PATTERN } from '@conveyor/queue-core'
import { loadConfig, LogFormat, type Env } from '@conveyor/service-kit'
import { TelemetryEnv } from '@conveyor/telemetry'
import Type, { type Static } from 'typebox'

const count = (fallback: number) => Type.Integer({ minimum: 1, default: fallback })

/** Every variable the worker reads, with its default. */
export const WorkerConfigSchema = Type.Object({
  REDIS_URL: Type.String({ minLength: 1, default: 'redis://127.0.0.1:6379' }),
  /** CA certificate (PEM) that signed the Redis server's TLS certificate, for rediss:// */
  REDIS_TLS_CA_FILE: Type.Optional(Type.String({ minLength: 1 })),
  // REDIS_URL is one node of a Redis Cluster.
  REDIS_CLUSTER: Type.Boolean({ default: false }),
  QUEUE_PREFIX: Type.String({ pattern: KEY_PREFIX_PATTERN, default: DEFAULTS.prefix }),
  // Enums, not unions of literals: a union's error hides the other variables' errors.
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
  }),
  // json, pretty (one readable line an event) or auto (pretty on a terminal)
  LOG_FORMAT: LogFormat,
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  WORKER_CONCURRENCY: count(10),
  CONVERT_CONCURRENCY: count(2),
  CONVERT_MAX_PIXELS: count(100_000_000),
  SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, default: 25_000 }),
  // A crashed worker's jobs are back in the queue within one lease.
  WORKER_LEASE_MS: Type.Integer({ minimum: 1_000, default: 30_000 }),
  // Completed and cancelled jobs kept readable: for this long, and at most this many a
  // queue and state (0 = no cap), so Redis memory stays bounded under sustained load.
  RETAIN_COMPLETED_MS: Type.Integer({ minimum: 0, default: DEFAULTS.retention.completedMs }),
  RETAIN_COMPLETED_COUNT: Type.Integer({
    minimum: 0,
    default: DEFAULTS.retention.completedCount,
  }),
  // Touched while every queue's heartbeat reaches Redis: the container health check.
  HEALTH_FILE: Type.Optional(Type.String({ minLength: 1 })),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  MAIL_FROM: Type.String({ minLength: 3, default: 'Conveyor <no-reply@conveyor.local>' }),
  SMS_PROVIDER: Type.Enum(['outbox', 'twilio'], { default: 'outbox' }),
  SMS_API_URL: Type.String({ pattern: '^https?://', default: 'https://api.twilio.com' }),
  SMS_ACCOUNT_SID: Type.Optional(Type.String({ minLength: 1 })),
  SMS_AUTH_TOKEN: Type.Optional(Type.String({ minLength: 1 })),
  SMS_FROM: Type.Optional(Type.String({ minLength: 1 })),
  // OpenTelemetry (OTEL_EXPORTER_OTLP_ENDPOINT, …): off unless an exporter is configured.
  ...TelemetryEnv.properties,
})
export type WorkerConfig = Static<typeof WorkerConfigSchema>

const TWILIO_VARS = ['SMS_ACCOUNT_SID', 'SMS_AUTH_TOKEN', 'SMS_FROM'] as const

/**
 * Reads and checks the worker's configuration; throws ConveyorError('config_invalid')
 * naming every bad variable. Called once, from main.
 */
export function loadWorkerConfig(env: Env): WorkerConfig {
  const config = loadConfig('worker', WorkerConfigSchema, env)
  // Rules that span variables, which the schema alone cannot say.
  if (config.SMS_PROVIDER === 'twilio') {
    const missing = TWILIO_VARS.filter((name) => config[name] === undefined)
    if (missing.length > 0) {
      const lines = missing.map((name) => `  ${name}: is required when SMS_PROVIDER=twilio`)
      throw new ConveyorError(
        'config_invalid',
        `worker: invalid configuration\n${lines.join('\n')}`,
      )
    }
  }
  return config
}
