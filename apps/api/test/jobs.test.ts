import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sseReader } from './support/sse.js'
import { startTestApp, type TestApp } from './support/test-app.js'
import { workerPool } from './support/workers.js'

let t: TestApp
let base: string
const workers = workerPool(() => t)

beforeEach(async () => {
  t = await startTestApp()
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
})
afterEach(async () => {
  await workers.closeAll()
  await t.close()
})

const sms = { phone: '+84912345678', message: 'Đơn hàng đã giao ✅' }

async function enqueueSms(): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/enqueue-sms', payload: sms })
  return res.json<{ id: string }>().id
}

const startWorker = workers.start

describe('GET /jobs/:id', () => {
  it('answers the record, or 404', async () => {
    const id = await enqueueSms()
    const res = await t.app.inject({ method: 'GET', url: `/jobs/${id}` })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ id, state: 'queued', type: 'sms', payload: sms })
    const missing = await t.app.inject({ method: 'GET', url: '/jobs/no-such-job' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ error: 'job_not_found' })
  })

  it('gives every time as an ISO 8601 string, the last error included', async () => {
    const before = Date.now()
    const res = await t.app.inject({
      method: 'POST',
      url: '/jobs',
      payload: { type: 'sms', payload: sms, maxAttempts: 1 },
    })
    const { id } = res.json<{ id: string }>()
    const failed = new Promise<void>((resolve) => {
      const worker = startWorker('default', {
        sms: () => {
          throw new Error('provider down')
        },
      })
      worker.on('failed', () => resolve())
    })
    await failed
    const stream = await fetch(`${base}/jobs/${id}/events`)
    const events = sseReader(stream.body!)
    let last = await events.next()
    while (last && (last.data as { state?: string }).state !== 'dead') last = await events.next()
    // The stream's records use the same form as GET /jobs/:id.
    expect(typeof (last?.data as { createdAt?: unknown }).createdAt).toBe('string')
    const job = (await t.app.inject({ method: 'GET', url: `/jobs/${id}` })).json<{
      state: string
      createdAt: string
      runAt: string
      startedAt: string
      finishedAt: string
      lastError: { message: string; failedAt: string }
    }>()
    expect(job.state).toBe('dead')
    const isoUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
    for (const time of [job.createdAt, job.runAt, job.startedAt, job.finishedAt]) {
      expect(time).toMatch(isoUtc)
      expect(Date.parse(time)).toBeGreaterThanOrEqual(before - 1000)
    }
    expect(job.lastError).toMatchObject({
      message: 'provider down',
      failedAt: expect.stringMatching(isoUtc) as unknown,
    })
  })

  it('adds downloadUrl to a completed conversion', async () => {
    const payload = {
      uploadId: 'abc123',
      sourceFormat: 'csv',
      targetFormat: 'json',
      filename: 'a.csv',
    }
    const res = await t.app.inject({
      method: 'POST',
      url: '/jobs',
      payload: { type: 'convert', payload },
    })
    const { id } = res.json<{ id: string }>()
    const done = new Promise<void>((resolve) => {
      const worker = startWorker('convert', {
        convert: () => ({
          uploadId: 'abc123',
          format: 'json',
          bytes: 2,
          downloadUrl: '/uploads/abc123/result',
        }),
      })
      worker.on('completed', () => resolve())
    })
    await done
    // The outcome is stored in a batch just after the event: follow the job until it shows.
    const stream = await fetch(`${base}/jobs/${id}/events`)
    const events = sseReader(stream.body!)
    let last = await events.next()
    while (last && (last.data as { state?: string }).state !== 'completed')
      last = await events.next()
    const job = await t.app.inject({ method: 'GET', url: `/jobs/${id}` })
    expect(job.json()).toMatchObject({ state: 'completed', downloadUrl: '/uploads/abc123/result' })
  })
})

describe('GET /jobs/:id/events', () => {
  it('sends the state now, each change and progress, then ends after completion', async () => {
    const id = await enqueueSms()
    const res = await fetch(`${base}/jobs/${id}/events`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const events = sseReader(res.body!)
    expect(await events.next()).toMatchObject({ event: 'state', data: { id, state: 'queued' } })

    let seenActive!: () => void
    const active = new Promise<void>((resolve) => (seenActive = resolve))
    startWorker('default', {
      sms: async (job) => {
        await active
        await job.progress({ step: 'sending', percent: 50 })
        return { sid: 'SM123' }
      },
    })
    expect(await events.next()).toMatchObject({
      event: 'state',
      data: { id, state: 'active', attempts: 1 },
    })
    seenActive()
    expect(await events.next()).toEqual({
      event: 'progress',
      data: { id, progress: { step: 'sending', percent: 50 } },
    })
    expect(await events.next()).toMatchObject({
      event: 'state',
      data: { id, state: 'completed', result: { sid: 'SM123' } },
    })
    expect(await events.next()).toBeNull()
  })

  it('ends at once for a finished job, and answers 404 for an unknown one', async () => {
    const id = await enqueueSms()
    await t.queue('default').cancel(id)
    const res = await fetch(`${base}/jobs/${id}/events`)
    const events = sseReader(res.body!)
    expect(await events.next()).toMatchObject({ event: 'state', data: { state: 'cancelled' } })
    expect(await events.next()).toBeNull()
    const missing = await fetch(`${base}/jobs/nope/events`)
    expect(missing.status).toBe(404)
    await missing.body?.cancel()
  })

  it('serves many clients from one follower per queue and ends on removal', async () => {
    const ids = [await enqueueSms(), await enqueueSms(), await enqueueSms()]
    const readers = await Promise.all(
      ids.map(async (id) => sseReader((await fetch(`${base}/jobs/${id}/events`)).body!)),
    )
    for (const r of readers) expect(await r.next()).toMatchObject({ data: { state: 'queued' } })
    expect(t.app.followers.get('default')?.subscriberCount).toBe(3)
    for (const id of ids) await t.queue('default').cancel(id)
    for (const [i, r] of readers.entries()) {
      expect(await r.next()).toMatchObject({ data: { id: ids[i], state: 'cancelled' } })
      expect(await r.next()).toBeNull()
    }
    expect(t.app.followers.get('default')?.subscriberCount).toBe(0)
  })

  it('ends open streams when the server closes', async () => {
    const id = await enqueueSms()
    const events = sseReader((await fetch(`${base}/jobs/${id}/events`)).body!)
    expect(await events.next()).toMatchObject({ data: { state: 'queued' } })
    const closing = t.app.close()
    expect(await events.next()).toBeNull()
    await closing
  })
})
