import { isConveyorError } from '@conveyor/queue-core'
import { describe, expect, test } from 'vitest'
import { loadWorkerConfig } from '../src/config.js'

function failure(env: Record<string, string>): string {
  try {
    loadWorkerConfig(env)
  } catch (err) {
    if (isConveyorError(err, 'config_invalid')) return err.message
    throw err
  }
  throw new Error('the config was accepted')
}

describe('worker config', () => {
  test('defaults follow the shared contract', () => {
    expect(loadWorkerConfig({})).toEqual({
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'conveyor',
      LOG_LEVEL: 'info',
      DATA_DIR: './data',
      WORKER_CONCURRENCY: 10,
      CONVERT_CONCURRENCY: 2,
      CONVERT_MAX_PIXELS: 100_000_000,
      SHUTDOWN_GRACE_MS: 25_000,
      WORKER_LEASE_MS: 30_000,
      RETAIN_COMPLETED_MS: 86_400_000,
      RETAIN_COMPLETED_COUNT: 10_000,
      REDIS_CLUSTER: false,
      MAIL_FROM: 'Conveyor <no-reply@conveyor.local>',
      SMS_PROVIDER: 'outbox',
      SMS_API_URL: 'https://api.twilio.com',
      LOG_FORMAT: 'auto',
      // OpenTelemetry's: off without an endpoint
      OTEL_SDK_DISABLED: false,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_METRIC_EXPORT_INTERVAL: 60_000,
      OTEL_BSP_SCHEDULE_DELAY: 5_000,
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    })
  })

  test('numbers are converted, and every bad variable is named', () => {
    expect(loadWorkerConfig({ WORKER_CONCURRENCY: '4' }).WORKER_CONCURRENCY).toBe(4)
    const message = failure({
      WORKER_CONCURRENCY: 'abc',
      CONVERT_CONCURRENCY: '0',
      SMTP_URL: 'mail.example.com',
      LOG_LEVEL: 'loud',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
    })
    expect(message).toMatch(/^worker: invalid configuration/)
    expect(message).toContain('WORKER_CONCURRENCY: must be integer (got "abc")')
    expect(message).toContain('CONVERT_CONCURRENCY')
    expect(message).toContain('SMTP_URL')
    expect(message).toContain('LOG_LEVEL')
    expect(message).toContain('OTEL_EXPORTER_OTLP_PROTOCOL')
    expect(message).toContain('OTEL_EXPORTER_OTLP_ENDPOINT')
  })

  test('twilio needs its account, token and sender', () => {
    const message = failure({ SMS_PROVIDER: 'twilio', SMS_ACCOUNT_SID: 'AC1' })
    expect(message).toContain('SMS_AUTH_TOKEN: is required when SMS_PROVIDER=twilio')
    expect(message).toContain('SMS_FROM: is required when SMS_PROVIDER=twilio')
    expect(message).not.toContain('SMS_ACCOUNT_SID')
    const ok = loadWorkerConfig({
      SMS_PROVIDER: 'twilio',
      SMS_ACCOUNT_SID: 'AC1',
      SMS_AUTH_TOKEN: 'token',
      SMS_FROM: '+15005550006',
    })
    expect(ok.SMS_PROVIDER).toBe('twilio')
  })
})
