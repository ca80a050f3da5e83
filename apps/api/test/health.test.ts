import { afterEach, describe, expect, it } from 'vitest'
import { freePort } from './support/free-port.js'
import { startTestApp, type TestApp } from './support/test-app.js'
import { workerPool } from './support/workers.js'
import { anyString } from './support/matchers.js'

let t: TestApp
const workers = workerPool(() => t)
afterEach(async () => {
  await workers.closeAll()
  await t.close()
})

const email = { to: 'a@example.com', subject: 'Chào', body: 'Xin chào' }

describe('health', () => {
  it('answers /healthz and /readyz with Redis up', async () => {
    t = await startTestApp()
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({
      status: 'ok',
    })
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.statusCode).toBe(200)
    expect(ready.headers['x-request-id']).toEqual(anyString)
  })
})

describe('with Redis down', () => {
  it('is live but not ready, and a POST answers 503 within 2 s, never 202', async () => {
    t = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` })
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.statusCode).toBe(503)

    for (const request of [
      { url: '/enqueue-email', payload: email, headers: {} },
      { url: '/enqueue-email', payload: email, headers: { 'idempotency-key': 'k1' } },
      { url: '/jobs', payload: { type: 'email', payload: email }, headers: {} },
    ]) {
      const started = performance.now()
      const res = await t.app.inject({ method: 'POST', ...request })
      const elapsed = performance.now() - started
      expect(res.statusCode).toBe(503)
      expect(res.json()).toEqual({ error: 'redis_unavailable' })
      // The bound the API promises its clients, not a speed benchmark.
      expect(elapsed).toBeLessThan(2000)
    }
    const job = await t.app.inject({ method: 'GET', url: '/jobs/abc' })
    expect(job.statusCode).toBe(503)
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' })
    expect(metrics.statusCode).toBe(503)
  })
})

describe('metrics', () => {
  it('exposes queue gauges, outcome counters and histograms in Prometheus text', async () => {
    t = await startTestApp()
    const sent: string[] = []
    for (let i = 0; i < 3; i += 1) {
      const res = await t.app.inject({ method: 'POST', url: '/enqueue-email', payload: email })
      sent.push(res.json<{ id: string }>().id)
    }
    await t.app.inject({
      method: 'POST',
      url: '/jobs',
      payload: { type: 'sms', payload: { phone: '+84912345678', message: 'x' }, delayMs: 60_000 },
    })
    await new Promise<void>((resolve) => {
      let done = 0
      workers
        .start('default', { email: () => ({ ok: true }) })
        .on('completed', () => ++done === 3 && resolve())
    })
    await workers.closeAll() // flushes the worker's histograms

    const res = await t.app.inject({ method: 'GET', url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0.0.4/)
    const text = res.body
    expect(text).toContain('conveyor_queue_jobs{queue="default",state="scheduled"} 1')
    expect(text).toContain('conveyor_queue_jobs{queue="default",state="completed"} 3')
    expect(text).toContain('conveyor_queue_jobs{queue="convert",state="queued"} 0')
    expect(text).toContain('conveyor_queue_oldest_job_age_seconds{queue="default"} 0')
    expect(text).toContain('conveyor_jobs_total{queue="default",outcome="processed"} 3')
    expect(text).toContain('conveyor_jobs_total{queue="default",outcome="dead"} 0')
    expect(text).toContain('# TYPE conveyor_job_duration_seconds histogram')
    expect(text).toContain('conveyor_job_duration_seconds_bucket{queue="default",le="+Inf"} 3')
    expect(text).toContain('conveyor_job_duration_seconds_count{queue="default"} 3')
    expect(text).toContain('conveyor_job_wait_seconds_count{queue="default"} 3')
    expect(text).toMatch(/conveyor_job_wait_seconds_sum\{queue="default"\} [0-9.]+/)
    // Buckets are cumulative.
    const buckets = [
      ...text.matchAll(/conveyor_job_duration_seconds_bucket\{queue="default",le="[^"]+"\} (\d+)/g),
    ].map((m) => Number(m[1]))
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b))
  })
})

describe('OpenAPI', () => {
  it('documents every route at /docs/json and serves the UI at /docs', async () => {
    t = await startTestApp()
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' })
    expect(res.statusCode).toBe(200)
    const spec = res.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>()
    expect(spec.openapi).toMatch(/^3\./)
    const routes = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    )
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /enqueue-email',
        'POST /enqueue-sms',
        'POST /jobs',
        'POST /jobs/batch',
        'POST /uploads',
        'GET /uploads/{id}/result',
        'GET /jobs/{id}',
        'GET /jobs/{id}/events',
        'GET /queues',
        'GET /queues/{queue}/jobs',
        'POST /jobs/{id}/retry',
        'POST /jobs/{id}/cancel',
        'DELETE /jobs/{id}',
        'GET /queues/{queue}/dead',
        'POST /queues/{queue}/dead/requeue',
        'POST /queues/{queue}/pause',
        'POST /queues/{queue}/resume',
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
      ]),
    )
    // The request schemas are queue-core's own.
    const emailBody = JSON.stringify(spec.paths['/enqueue-email']?.post)
    expect(emailBody).toContain('"format":"email"')
    const uploadBody = JSON.stringify(spec.paths['/uploads']?.post)
    expect(uploadBody).toContain('"multipart/form-data"')
    expect(uploadBody).toContain('"format":"binary"')
    const ui = await t.app.inject({ method: 'GET', url: '/docs' })
    expect(ui.statusCode).toBeLessThan(400)
  })
})
