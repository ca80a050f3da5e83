import { builtinJobTypes, ConveyorError, defineJobTypes, Queue, Worker } from '@conveyor/queue-core'
import { deletePrefix, uniquePrefix, until } from '@conveyor/queue-core/testing'
import { SpanKind } from '@opentelemetry/api'
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  instrumentHandlers,
  startTelemetry,
  telemetrySettings,
  type Telemetry,
} from '../src/index.js'
import { TelemetryEnv } from '../src/config.js'
import { Value } from 'typebox/value'

const registry = defineJobTypes({ ...builtinJobTypes })
const exporter = new InMemorySpanExporter()
let telemetry: Telemetry
let prefix: string
const closers: (() => Promise<void>)[] = []

beforeAll(async () => {
  const env = Value.Default(TelemetryEnv, {
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
  }) as TelemetryEnv
  const settings = telemetrySettings({ ...env, OTEL_METRICS_EXPORTER: 'none' }, 'conveyor-test')
  const started = await startTelemetry(settings, {
    spanProcessor: new SimpleSpanProcessor(exporter),
  })
  if (!started) throw new Error('telemetry did not start')
  telemetry = started
})
afterAll(async () => {
  await telemetry.shutdown()
})
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
  await deletePrefix(inject('redisUrl'), prefix)
  exporter.reset()
})

function queueAndWorker(
  handlers: ConstructorParameters<typeof Worker<typeof registry.types>>[0]['handlers'],
) {
  prefix = uniquePrefix('otel')
  const connection = inject('redisUrl')
  const queue = new Queue({ connection, registry, prefix })
  telemetry.instrumentProducer(queue)
  const worker = new Worker({
    connection,
    registry,
    prefix,
    handlers: instrumentHandlers(handlers, telemetry),
  })
  closers.push(
    () => worker.close({ timeoutMs: 5_000 }),
    () => queue.close(),
  )
  return { queue, worker }
}

const spans = () => exporter.getFinishedSpans()
const named = (name: string) => spans().filter((s) => s.name === name)
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId

/** Retries and backoff take a while: twice the usual wait. */
const WAIT_MS = 20_000

/** Runs `fn` inside an HTTP server span, as the API's tracing plugin does. */
async function inRequest<T>(
  fn: () => Promise<T>,
  headers: Record<string, string> = {},
): Promise<{ result: T; request: ReadableSpan }> {
  const span = telemetry.startHttpServerSpan({
    method: 'POST',
    route: '/jobs',
    path: '/jobs',
    headers,
  })
  const result = await span.run(fn)
  span.end(202)
  const request = named('POST /jobs').at(-1)
  if (!request) throw new Error('no request span')
  return { result, request }
}

const sms = { phone: '+84912345678', message: 'otel' }

describe('traces with telemetry on', () => {
  it('chains request → enqueue → one consumer span per attempt, the retry in the same trace', async () => {
    let calls = 0
    const { queue } = queueAndWorker({
      sms: () => {
        calls += 1
        if (calls === 1) throw new Error('provider down')
        return { sent: true }
      },
    })
    // The caller's traceparent header makes the request span a child of its span.
    const caller = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    const { result, request } = await inRequest(
      () => queue.enqueue('sms', sms, { backoff: { type: 'fixed', delayMs: 50 } }),
      { traceparent: caller },
    )
    expect(request.kind).toBe(SpanKind.SERVER)
    expect(request.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c')
    expect(parentOf(request)).toBe('b7ad6b7169203331')
    expect(request.attributes).toMatchObject({
      'http.route': '/jobs',
      'http.response.status_code': 202,
    })
    await until(() => named('process sms').length === 2, 'two attempts', WAIT_MS)
    const [enqueue] = named('enqueue sms')
    expect(enqueue?.kind).toBe(SpanKind.PRODUCER)
    expect(parentOf(enqueue!)).toBe(request.spanContext().spanId)
    expect(enqueue?.attributes).toMatchObject({
      'conveyor.job.id': result.id,
      'conveyor.job.type': 'sms',
      'conveyor.job.queue': 'default',
    })
    const attempts = named('process sms').sort(
      (a, b) =>
        Number(a.attributes['conveyor.job.attempt']) - Number(b.attributes['conveyor.job.attempt']),
    )
    for (const span of attempts) {
      expect(span.kind).toBe(SpanKind.CONSUMER)
      expect(span.spanContext().traceId).toBe(request.spanContext().traceId)
      expect(parentOf(span)).toBe(enqueue?.spanContext().spanId)
    }
    expect(attempts[0]?.attributes).toMatchObject({
      'conveyor.job.id': result.id,
      'conveyor.job.attempt': 1,
      'conveyor.job.outcome': 'retrying',
    })
    expect(attempts[0]?.status).toMatchObject({ code: 2, message: 'provider down' })
    expect(attempts[0]?.events.map((e) => e.name)).toEqual(['exception'])
    expect(attempts[1]?.attributes).toMatchObject({
      'conveyor.job.attempt': 2,
      'conveyor.job.outcome': 'completed',
    })
    expect(attempts[1]?.status.code).toBe(0)
  })

  it('says dead when the worker dead-letters the job (a permanent failure, the last attempt)', async () => {
    const { queue } = queueAndWorker({
      sms: (job) => {
        if (job.payload.message === 'permanent') throw ConveyorError.permanent('no such number')
        throw new Error('still down')
      },
    })
    const permanent = await queue.enqueue('sms', { ...sms, message: 'permanent' })
    const last = await queue.enqueue('sms', { ...sms, message: 'last' }, { maxAttempts: 1 })
    await until(() => named('process sms').length === 2, 'both attempts', WAIT_MS)
    for (const { id } of [permanent, last]) {
      const span = named('process sms').find((s) => s.attributes['conveyor.job.id'] === id)
      expect(span?.attributes['conveyor.job.outcome']).toBe('dead')
      // The span's outcome is the worker's: the job is dead-lettered.
      await until(
        async () => (await queue.getJob(id))?.state === 'dead',
        `job ${id} to be dead`,
        WAIT_MS,
      )
    }
  })

  it('gives a batch one producer span, the parent of each of its jobs’ consumer spans', async () => {
    const { queue } = queueAndWorker({ sms: () => 'ok', email: () => 'ok' })
    const { result } = await inRequest(() =>
      queue.enqueueBulk([
        { type: 'sms', payload: sms },
        { type: 'email', payload: { to: 'a@example.com', subject: 's', body: 'b' } },
      ]),
    )
    await until(
      () => named('process sms').length + named('process email').length === 2,
      'both jobs',
      WAIT_MS,
    )
    const [batch] = named('enqueue batch')
    expect(batch?.attributes).toMatchObject({
      'messaging.batch.message_count': 2,
      'conveyor.job.ids': result.map((r) => r.id),
    })
    for (const span of [...named('process sms'), ...named('process email')]) {
      expect(parentOf(span)).toBe(batch?.spanContext().spanId)
    }
  })

  it('traces a scheduler fire as the root of its job’s trace', async () => {
    const { queue } = queueAndWorker({ sms: () => 'ok' })
    const info = {
      schedule: 'tick',
      slotMs: Date.UTC(2026, 0, 1),
      jobId: 'sched:tick:1',
      type: 'sms',
      queue: 'default',
    }
    await telemetry.traceFire(info, (traceparent) =>
      queue.enqueue('sms', sms, { jobId: info.jobId, traceparent }),
    )
    await until(() => named('process sms').length === 1, 'the attempt', WAIT_MS)
    const [fire] = named('schedule tick')
    expect(fire?.kind).toBe(SpanKind.PRODUCER)
    expect(parentOf(fire!)).toBeUndefined()
    expect(fire?.attributes).toMatchObject({ 'conveyor.schedule.slot': '2026-01-01T00:00:00.000Z' })
    // The job kept the fire's traceparent (the caller's), not the queue wrapper's own.
    expect(parentOf(named('process sms')[0]!)).toBe(fire?.spanContext().spanId)
  })
})
