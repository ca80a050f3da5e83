import { DEFAULTS, KEY_PREFIX_PATTERN } from '@conveyor/queue-core'
import { LogFormat } from '@conveyor/service-kit'
import { TelemetryEnv } from '@conveyor/telemetry'
import Type, { type Static } from 'typebox'
import { CatchUp } from '@conveyor/queue-core'

/** The scheduler's environment, read once by main.ts with service-kit's loadConfig. */
export const SchedulerConfig = Type.Object({
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' }),
  /** CA certificate (PEM) that signed the Redis server's TLS certificate, for rediss:// */
  REDIS_TLS_CA_FILE: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_CLUSTER: Type.Boolean({
    default: false,
    description: 'REDIS_URL is one node of a Redis Cluster',
  }),
  QUEUE_PREFIX: Type.String({ pattern: KEY_PREFIX_PATTERN, default: DEFAULTS.prefix }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  /** json, pretty (one readable line an event) or auto (pretty on a terminal) */
  LOG_FORMAT: LogFormat,
  SCHEDULES_FILE: Type.Optional(
    Type.String({ minLength: 1, description: 'JSON array of schedules; unset: the seed ones' }),
  ),
  SCHEDULER_LEASE_MS: Type.Integer({
    minimum: 300,
    maximum: 3_600_000,
    default: 15_000,
    description: 'leader lease; renewed every lease/3, a standby takes over within it',
  }),
  SCHEDULER_CATCH_UP: Type.Union([...CatchUp.anyOf], { default: 'once' }),
  HEALTH_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'touched while Redis answers: the container health check',
    }),
  ),
  /** OpenTelemetry (OTEL_EXPORTER_OTLP_ENDPOINT, …): off unless an exporter is configured */
  ...TelemetryEnv.properties,
})
export type SchedulerConfig = Static<typeof SchedulerConfig>
