import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { Value } from 'typebox/value'
import { describe, expect, it } from 'vitest'
import {
  TelemetryEnv,
  instrumentHandlers,
  startTelemetry,
  telemetrySettings,
} from '../src/index.js'

const env = (vars: Record<string, string | number | boolean>) =>
  Value.Default(TelemetryEnv, Value.Convert(TelemetryEnv, vars)) as TelemetryEnv

describe('telemetry off', () => {
  it('is off without an endpoint, with OTEL_SDK_DISABLED, or with both exporters none', () => {
    expect(telemetrySettings(env({}), 'conveyor-api')).toBeNull()
    const url = 'http://collector:4318'
    expect(
      telemetrySettings(env({ OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_SDK_DISABLED: true }), 'a'),
    ).toBeNull()
    expect(
      telemetrySettings(
        env({
          OTEL_EXPORTER_OTLP_ENDPOINT: url,
          OTEL_TRACES_EXPORTER: 'none',
          OTEL_METRICS_EXPORTER: 'none',
        }),
        'a',
      ),
    ).toBeNull()
  })

  it('leaves handlers as they are and loads nothing', async () => {
    const handlers = { sms: () => 'ok' }
    expect(instrumentHandlers(handlers, undefined)).toBe(handlers)
    expect(await startTelemetry(null)).toBeUndefined()
  })

  it('the entry module imports no part of OpenTelemetry until telemetry starts', async () => {
    const dist = fileURLToPath(new URL('../dist/', import.meta.url))
    const seen = new Set<string>()
    const visit = async (file: string): Promise<void> => {
      if (seen.has(file)) return
      seen.add(file)
      const text = await readFile(`${dist}${file}`, 'utf8')
      for (const m of text.matchAll(/^(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[1] ?? ''
        expect(spec, `${file} imports ${spec}`).not.toMatch(/^@opentelemetry\//)
        if (spec.startsWith('./')) await visit(spec.slice(2))
      }
    }
    await visit('index.js')
    expect(seen.size).toBeGreaterThan(1)
  })
})

describe('telemetry settings from the OTEL_* variables', () => {
  it('adds the signal paths to the base endpoint, takes per-signal endpoints as they are', () => {
    const settings = telemetrySettings(
      env({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://metrics:9090/otlp',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abc%3D,tenant=t1',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging',
        OTEL_SERVICE_NAME: 'billing-worker',
      }),
      'conveyor-worker',
    )
    expect(settings).toMatchObject({
      serviceName: 'billing-worker',
      protocol: 'http/protobuf',
      traces: { kind: 'otlp', url: 'http://collector:4318/v1/traces' },
      metrics: { kind: 'otlp', url: 'http://metrics:9090/otlp' },
      headers: { 'x-api-key': 'abc=', tenant: 't1' },
      resourceAttributes: { 'deployment.environment': 'staging' },
    })
  })
})
