/**
 * OpenTelemetry across real processes: the built API, worker and scheduler export to
 * an OTLP/HTTP receiver the test runs (the API in protobuf, the others in JSON), and
 * the spans they sent must form one chain per job: request → enqueue → one consumer
 * span per attempt, and fire → consumer for a scheduled job.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startRedisServer, type RedisServerHandle } from '@conveyor/queue-core/testing'
import {
  freePort,
  OtlpReceiver,
  Service,
  servicesEnv,
  SmsSink,
  tickSchedule,
  until,
  writeSchedules,
  type ReceivedSpan,
} from '@conveyor/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const FLAKY_PHONE = '+15550004001'
const TICK_PHONE = '+15550004002'
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const CALLER_SPAN = '00f067aa0ba902b7'
const SERVER = 2
const PRODUCER = 4
const CONSUMER = 5

let redis: RedisServerHandle
let receiver: OtlpReceiver
let sms: SmsSink
let dataDir: string
let baseUrl: string
const services: Service[] = []

beforeAll(async () => {
  redis = await startRedisServer()
  receiver = await OtlpReceiver.start()
  sms = await SmsSink.start('AC_otel', 'otel-token')
  dataDir = await mkdtemp(join(tmpdir(), 'conveyor-otel-'))
  const port = await freePort()
  baseUrl = `http://127.0.0.1:${port}`
  const env = servicesEnv({
    redisUrl: redis.url,
    dataDir,
    sms,
    overrides: {
      PORT: String(port),
      SCHEDULES_FILE: await writeSchedules(dataDir, [
        tickSchedule(TICK_PHONE, { catchUp: 'skip' }),
      ]),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
    },
  })
  const json = { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }
  services.push(
    new Service('api', 'api', { ...env, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }),
    new Service('worker', 'worker', { ...env, ...json }),
    new Service('scheduler', 'scheduler', { ...env, ...json }),
  )
  await until(
    async () => (await fetch(`${baseUrl}/readyz`).catch(() => null))?.status === 200,
    'the API to be ready',
  )
})

afterAll(async () => {
  const codes = await Promise.all(services.map((s) => s.stop('SIGTERM')))
  await Promise.all([receiver?.close(), sms?.close(), redis?.stop()])
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
  expect(
    codes.every((c) => c === 0),
    services.map((s) => s.dump()).join('\n'),
  ).toBe(true)
})

const spans = (name: string, service: string) =>
  receiver.spans.filter((s) => s.name === name && s.service === service)

function show(span: ReceivedSpan, depth: number): string {
  const a = span.attributes
  const job = a['conveyor.job.id'] === undefined ? '' : ` job=${String(a['conveyor.job.id'])}`
  const attempt =
    a['conveyor.job.attempt'] === undefined ? '' : ` attempt=${String(a['conveyor.job.attempt'])}`
  const outcome =
    a['conveyor.job.outcome'] === undefined ? '' : ` outcome=${String(a['conveyor.job.outcome'])}`
  return `${'  '.repeat(depth)}${span.name} [${span.service}] span=${span.spanId} parent=${span.parentSpanId || '-'}${job}${attempt}${outcome}`
}

describe('OpenTelemetry across the API, the worker and the scheduler', () => {
  it('links request → enqueue → each attempt, the retry included, in the caller’s trace', async () => {
    sms.behaviours.set(FLAKY_PHONE, 'unavailable')
    const res = await fetch(`${baseUrl}/jobs`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
      },
      body: JSON.stringify({
        type: 'sms',
        payload: { phone: FLAKY_PHONE, message: 'traced' },
        maxAttempts: 3,
      }),
    })
    expect(res.status).toBe(202)
    const { id } = (await res.json()) as { id: string }
    await until(() => sms.sentTo(FLAKY_PHONE).length === 1, 'the first attempt')
    sms.behaviours.set(FLAKY_PHONE, 'ok')
    await until(
      () =>
        spans('process sms', 'conveyor-worker').filter(
          (s) => s.attributes['conveyor.job.id'] === id,
        ).length === 2,
      'both attempts’ spans',
      20_000,
    )

    const [request] = spans('POST /jobs', 'conveyor-api').filter((s) => s.traceId === CALLER_TRACE)
    expect(request).toMatchObject({
      kind: SERVER,
      parentSpanId: CALLER_SPAN,
      attributes: { 'http.route': '/jobs', 'http.response.status_code': 202 },
    })
    const [enqueue] = spans('enqueue sms', 'conveyor-api').filter((s) => s.traceId === CALLER_TRACE)
    expect(enqueue).toMatchObject({
      kind: PRODUCER,
      parentSpanId: request?.spanId,
      attributes: {
        'conveyor.job.id': id,
        'conveyor.job.type': 'sms',
        'conveyor.job.queue': 'default',
      },
    })
    const attempts = spans('process sms', 'conveyor-worker')
      .filter((s) => s.attributes['conveyor.job.id'] === id)
      .sort(
        (a, b) =>
          Number(a.attributes['conveyor.job.attempt']) -
          Number(b.attributes['conveyor.job.attempt']),
      )
    for (const span of attempts) {
      expect(span).toMatchObject({
        kind: CONSUMER,
        traceId: CALLER_TRACE,
        parentSpanId: enqueue?.spanId,
      })
    }
    expect(attempts[0]).toMatchObject({
      attributes: {
        'conveyor.job.attempt': 1,
        'conveyor.job.outcome': 'retrying',
        'conveyor.job.queue': 'default',
      },
      status: { code: 2 },
      events: ['exception'],
    })
    expect(attempts[0]?.status.message).toMatch(/503/)
    expect(attempts[1]).toMatchObject({
      attributes: { 'conveyor.job.attempt': 2, 'conveyor.job.outcome': 'completed' },
      status: { code: 0 },
    })
    console.log(
      [
        '[otel] trace ' + CALLER_TRACE,
        show(request!, 1),
        show(enqueue!, 2),
        ...attempts.map((s) => show(s, 3)),
      ].join('\n'),
    )
    expect(receiver.requests).toEqual(
      expect.arrayContaining(['traces application/x-protobuf', 'traces application/json']),
    )
  })

  it('roots a scheduled job’s trace in the scheduler’s fire', async () => {
    let pair: [ReceivedSpan, ReceivedSpan] | undefined
    await until(
      () => {
        for (const fire of spans('schedule tick', 'conveyor-scheduler')) {
          const consumer = spans('process sms', 'conveyor-worker').find(
            (s) => s.parentSpanId === fire.spanId,
          )
          if (consumer) pair = [fire, consumer]
        }
        return pair !== undefined
      },
      'a fire and its job’s attempt',
      20_000,
    )
    const [fire, consumer] = pair!
    expect(fire).toMatchObject({
      kind: PRODUCER,
      parentSpanId: '',
      attributes: { 'conveyor.schedule.name': 'tick' },
    })
    expect(consumer.traceId).toBe(fire.traceId)
    expect(consumer.attributes['conveyor.job.id']).toBe(fire.attributes['conveyor.job.id'])
    expect(String(consumer.attributes['conveyor.job.id'])).toMatch(/^default:sched:tick:\d+$/)
    console.log(['[otel] trace ' + fire.traceId, show(fire, 1), show(consumer, 2)].join('\n'))
  })

  it('exports queue metrics from the API and attempt counts from the worker', async () => {
    await until(
      () =>
        receiver.points.some(
          (p) =>
            p.service === 'conveyor-api' &&
            p.metric === 'conveyor.queue.jobs' &&
            p.attributes['conveyor.job.queue'] === 'default' &&
            p.attributes['conveyor.job.state'] === 'completed' &&
            p.value >= 1,
        ),
      'conveyor.queue.jobs from the API',
      20_000,
    )
    await until(
      () =>
        receiver.points.some(
          (p) =>
            p.service === 'conveyor-worker' &&
            p.metric === 'conveyor.worker.attempts' &&
            p.attributes['conveyor.job.outcome'] === 'completed' &&
            p.value >= 1,
        ),
      'conveyor.worker.attempts from the worker',
      20_000,
    )
    expect(receiver.requests).toEqual(
      expect.arrayContaining(['metrics application/x-protobuf', 'metrics application/json']),
    )
  })
})
