import { DEFAULTS, KEY_PREFIX_PATTERN } from '@conveyor/queue-core'
import { LogFormat } from '@conveyor/service-kit'
import { TelemetryEnv } from '@conveyor/telemetry'
import Type, { type Static } from 'typebox'

const GiB = 1024 ** 3

/** The API's environment, checked once at start-up by `loadConfig('api', ApiConfig, env)`. */
export const ApiConfig = Type.Object({
  REDIS_URL: Type.String({ minLength: 1, default: 'redis://127.0.0.1:6379' }),
  /** CA certificate (PEM) that signed the Redis server's TLS certificate, for rediss:// */
  REDIS_TLS_CA_FILE: Type.Optional(Type.String({ minLength: 1 })),
  /** REDIS_URL is one node of a Redis Cluster */
  REDIS_CLUSTER: Type.Boolean({ default: false }),
  QUEUE_PREFIX: Type.String({ pattern: KEY_PREFIX_PATTERN, default: DEFAULTS.prefix }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  /** json, pretty (one readable line an event) or auto (pretty on a terminal) */
  LOG_FORMAT: LogFormat,
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65_535, default: 8080 }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  /**
   * comma-separated; empty means no authentication. An entry `name:role:key` names the
   * key and gives it a role (read, operate or admin); a bare key has every right.
   */
  API_KEYS: Type.String({ default: '' }),
  /**
   * comma-separated `type` or `type:field.field` entries: payload fields that no answer
   * (API or dashboard) shows, replaced by "[redacted]"; the stored job keeps them
   */
  REDACT_PAYLOAD_FIELDS: Type.String({ default: '' }),
  /** where the dashboard is served; one or more path segments, e.g. /ui or /ops/dashboard */
  UI_PATH: Type.String({ pattern: '^(/[A-Za-z0-9._~-]+)+$', maxLength: 200, default: '/ui' }),
  UPLOAD_MAX_BYTES: Type.Integer({ minimum: 1, default: GiB }),
  CONVERT_MAX_PIXELS: Type.Integer({ minimum: 1, default: 100_000_000 }),
  /** requests per minute per API key (or per IP without one) */
  RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 6000 }),
  /** how long a SIGTERM waits for requests in flight before the process gives up */
  SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  /** OpenTelemetry (OTEL_EXPORTER_OTLP_ENDPOINT, …): off unless an exporter is configured */
  ...TelemetryEnv.properties,
})
export type ApiConfig = Static<typeof ApiConfig>
