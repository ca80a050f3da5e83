import Type, { type Static } from 'typebox'

const url = (description: string) =>
  Type.Optional(Type.String({ pattern: '^https?://', description }))

/**
 * The standard OpenTelemetry variables Conveyor honours, as a TypeBox object each
 * service spreads into its own config schema (`...TelemetryEnv.properties`), so they
 * are read and checked at start-up with the rest. Telemetry stays off, and no part of
 * the SDK is loaded, until an OTLP endpoint (or the console exporter) is configured.
 */
export const TelemetryEnv = Type.Object({
  OTEL_SDK_DISABLED: Type.Boolean({ default: false }),
  OTEL_SERVICE_NAME: Type.Optional(Type.String({ minLength: 1 })),
  OTEL_RESOURCE_ATTRIBUTES: Type.Optional(
    Type.String({ description: 'key=value pairs, comma-separated' }),
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: url('base URL: /v1/traces and /v1/metrics are added'),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url('the traces URL, used as is'),
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: url('the metrics URL, used as is'),
  OTEL_EXPORTER_OTLP_HEADERS: Type.Optional(
    Type.String({ description: 'key=value pairs, comma-separated, e.g. an API key' }),
  ),
  OTEL_EXPORTER_OTLP_PROTOCOL: Type.Enum(['http/protobuf', 'http/json'], {
    default: 'http/protobuf',
  }),
  OTEL_TRACES_EXPORTER: Type.Enum(['otlp', 'console', 'none'], { default: 'otlp' }),
  OTEL_METRICS_EXPORTER: Type.Enum(['otlp', 'console', 'none'], { default: 'otlp' }),
  OTEL_METRIC_EXPORT_INTERVAL: Type.Integer({ minimum: 100, default: 60_000 }),
  OTEL_BSP_SCHEDULE_DELAY: Type.Integer({ minimum: 0, default: 5_000 }),
  OTEL_TRACES_SAMPLER: Type.Enum(
    [
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ],
    { default: 'parentbased_always_on' },
  ),
  OTEL_TRACES_SAMPLER_ARG: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
})
export type TelemetryEnv = Static<typeof TelemetryEnv>

export type Exporter = { kind: 'otlp'; url: string } | { kind: 'console' }

/** What startTelemetry needs, decided from the variables once. */
export interface TelemetrySettings {
  serviceName: string
  resourceAttributes: Record<string, string>
  protocol: 'http/protobuf' | 'http/json'
  headers: Record<string, string>
  traces: Exporter | null
  metrics: Exporter | null
  metricIntervalMs: number
  spanDelayMs: number
  sampler: TelemetryEnv['OTEL_TRACES_SAMPLER']
  samplerRatio: number
}

/** `a=1,b=2` as an object; percent-escapes decoded, as the specification says. */
export function parsePairs(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const pair of (text ?? '').split(',')) {
    const eq = pair.indexOf('=')
    if (eq <= 0) continue
    out[decodeURIComponent(pair.slice(0, eq).trim())] = decodeURIComponent(
      pair.slice(eq + 1).trim(),
    )
  }
  return out
}

function exporter(
  kind: TelemetryEnv['OTEL_TRACES_EXPORTER'],
  specific: string | undefined,
  base: string | undefined,
  path: string,
): Exporter | null {
  if (kind === 'console') return { kind }
  if (kind === 'none') return null
  if (specific) return { kind: 'otlp', url: specific }
  if (base) return { kind: 'otlp', url: `${base.replace(/\/+$/, '')}${path}` }
  return null
}

/**
 * Telemetry settings for a service, or null when it is off: OTEL_SDK_DISABLED, or
 * neither traces nor metrics have somewhere to go (no endpoint, no console exporter).
 */
export function telemetrySettings(
  env: TelemetryEnv,
  defaultServiceName: string,
): TelemetrySettings | null {
  if (env.OTEL_SDK_DISABLED) return null
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT
  const traces = exporter(
    env.OTEL_TRACES_EXPORTER,
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
    base,
    '/v1/traces',
  )
  const metrics = exporter(
    env.OTEL_METRICS_EXPORTER,
    env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
    base,
    '/v1/metrics',
  )
  if (!traces && !metrics) return null
  return {
    serviceName: env.OTEL_SERVICE_NAME ?? defaultServiceName,
    resourceAttributes: parsePairs(env.OTEL_RESOURCE_ATTRIBUTES),
    protocol: env.OTEL_EXPORTER_OTLP_PROTOCOL,
    headers: parsePairs(env.OTEL_EXPORTER_OTLP_HEADERS),
    traces,
    metrics,
    metricIntervalMs: env.OTEL_METRIC_EXPORT_INTERVAL,
    spanDelayMs: env.OTEL_BSP_SCHEDULE_DELAY,
    sampler: env.OTEL_TRACES_SAMPLER,
    samplerRatio: env.OTEL_TRACES_SAMPLER_ARG ?? 1,
  }
}
