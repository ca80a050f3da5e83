import { builtinJobTypes, defineJobTypes, Queue, Worker } from '@conveyor/queue-core'
import { deletePrefix, uniquePrefix } from '@conveyor/queue-core/testing'
import { MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { Value } from 'typebox/value'
import { afterAll, expect, inject, it } from 'vitest'
import {
  instrumentHandlers,
  startTelemetry,
  TelemetryEnv,
  telemetrySettings,
  type Telemetry,
} from '../src/index.js'

/** A reader that exports nowhere: the test collects from it when it wants. */
class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}

const registry = defineJobTypes({ ...builtinJobTypes })
const prefix = uniquePrefix('otel-metrics')
let telemetry: Telemetry | undefined

afterAll(async () => {
  await telemetry?.shutdown()
  await deletePrefix(inject('redisUrl'), prefix)
})

async function points(reader: MetricReader, name: string) {
  const { resourceMetrics } = await reader.collect()
  const metric = resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === name)
  return (metric?.dataPoints ?? []) as DataPoint<unknown>[]
}

it('reports counts per queue and state, and the worker’s attempts, as OTel metrics', async () => {
  const reader = new CollectingReader()
  const env = Value.Default(TelemetryEnv, {
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
  }) as TelemetryEnv
  telemetry = await startTelemetry(telemetrySettings(env, 'conveyor-test'), {
    metricReader: reader,
    spanProcessor: new SimpleSpanProcessor(new InMemorySpanExporter()),
  })
  if (!telemetry) throw new Error('telemetry did not start')
  const connection = inject('redisUrl')
  const queue = new Queue({ connection, registry, prefix })
  const convert = new Queue({ connection, registry, prefix, queue: 'convert' })
  telemetry.observeQueues(() => [queue, convert])
  await queue.enqueue('sms', { phone: '+84912345678', message: 'a' })
  await queue.enqueue('sms', { phone: '+84912345678', message: 'b' }, { delayMs: 60_000 })
  const worker = new Worker({
    connection,
    registry,
    prefix,
    handlers: instrumentHandlers({ sms: () => 'ok' }, telemetry),
  })
  try {
    let jobs: DataPoint<unknown>[] = []
    const deadline = Date.now() + 20_000
    const value = (state: string, q = 'default') =>
      jobs.find(
        (p) =>
          p.attributes['conveyor.job.queue'] === q && p.attributes['conveyor.job.state'] === state,
      )?.value
    while (value('completed') !== 1) {
      if (Date.now() > deadline) throw new Error(`no completed job in ${JSON.stringify(jobs)}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
      jobs = await points(reader, 'conveyor.queue.jobs')
    }
    expect(value('scheduled')).toBe(1)
    expect(value('queued', 'convert')).toBe(0)
    const attempts = await points(reader, 'conveyor.worker.attempts')
    expect(attempts).toEqual([
      expect.objectContaining({
        value: 1,
        attributes: {
          'conveyor.job.queue': 'default',
          'conveyor.job.type': 'sms',
          'conveyor.job.outcome': 'completed',
        },
      }),
    ])
    const enqueued = await points(reader, 'conveyor.queue.attempts')
    expect(enqueued.find((p) => p.attributes['conveyor.job.outcome'] === 'completed')?.value).toBe(
      1,
    )
  } finally {
    await worker.close({ timeoutMs: 5_000 })
    await Promise.all([queue.close(), convert.close()])
  }
})
