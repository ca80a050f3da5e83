import { EMAIL_TEXT_MAX_CHARS } from '@conveyor/queue-core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './support/test-app.js'
import { anyString } from './support/matchers.js'

let t: TestApp
beforeEach(async () => {
  t = await startTestApp()
})
afterEach(() => t.close())

const email = {
  to: 'khach.hang@example.vn',
  subject: 'Xác nhận đơn hàng 🎉',
  body: 'Cảm ơn quý khách đã đặt hàng! Đơn của bạn đang được xử lý 🚚',
  html: '<p>Cảm ơn quý khách 😊</p>',
}
const sms = { phone: '+84912345678', message: 'Mã OTP của bạn là 123456 🔐' }

async function post(url: string, payload: unknown) {
  const res = await t.app.inject({ method: 'POST', url, payload: payload as object })
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() }
}

describe('seed routes', () => {
  it('accepts an email: 202, and the job at statusUrl holds the payload intact', async () => {
    const res = await post('/enqueue-email', email)
    expect(res.status).toBe(202)
    expect(res.body).toEqual({
      id: anyString,
      status: 'queued',
      statusUrl: `/jobs/${String(res.body.id)}`,
      created: true,
    })
    const job = await t.app.inject({ method: 'GET', url: String(res.body.statusUrl) })
    expect(job.statusCode).toBe(200)
    expect(job.json()).toMatchObject({
      id: res.body.id,
      queue: 'default',
      type: 'email',
      state: 'queued',
      payload: email,
    })
  })

  it('accepts an SMS with Vietnamese text and emoji', async () => {
    const res = await post('/enqueue-sms', sms)
    expect(res.status).toBe(202)
    const job = await t.queue('default').getJob(String(res.body.id))
    expect(job?.payload).toEqual(sms)
    expect(job?.type).toBe('sms')
  })

  it('rejects a bad address with 400 naming /to, and enqueues nothing', async () => {
    const res = await post('/enqueue-email', { ...email, to: 'not-an-address' })
    expect(res.status).toBe(400)
    expect(res.body.error).toBe('validation_failed')
    expect(res.body.details).toContainEqual({ path: '/to', message: anyString })
    expect((await t.queue('default').counts()).queued).toBe(0)
  })

  it('rejects a bad phone number with 400 naming /phone, and enqueues nothing', async () => {
    const res = await post('/enqueue-sms', { ...sms, phone: '0912 345 678' })
    expect(res.status).toBe(400)
    expect(res.body.details).toContainEqual({ path: '/phone', message: anyString })
    const counts = await t.queue('default').counts()
    expect(counts.queued + counts.scheduled).toBe(0)
  })

  it('names missing and unexpected fields', async () => {
    const res = await post('/enqueue-sms', { phone: '+84912345678', extra: 1 })
    expect(res.status).toBe(400)
    const paths = (res.body.details as { path: string }[]).map((d) => d.path)
    expect(paths).toEqual(expect.arrayContaining(['/message', '/extra']))
  })

  it('takes the longest e-mail its schema allows, in any script, and names the field past it', async () => {
    // 'ệ' is 3 bytes as UTF-8: the worst case of a character from the Basic Plane.
    const longest = 'ệ'.repeat(EMAIL_TEXT_MAX_CHARS)
    const ok = await post('/enqueue-email', { ...email, body: longest, html: longest })
    expect(ok.status).toBe(202)
    const over = await post('/enqueue-email', { ...email, body: `${longest}x` })
    expect(over.status).toBe(400)
    expect(over.body).toMatchObject({ details: [{ path: '/body' }] })
  })

  it('rejects a body that is not JSON with 400, and one over 4 MiB with 413', async () => {
    const notJson = await t.app.inject({
      method: 'POST',
      url: '/enqueue-sms',
      headers: { 'content-type': 'application/json' },
      payload: '{"phone":',
    })
    expect(notJson.statusCode).toBe(400)
    const big = await post('/enqueue-email', { ...email, body: 'x'.repeat(4_300_000) })
    expect(big.status).toBe(413)
    expect(big.body.error).toBe('payload_too_large')
  })
})

describe('POST /jobs', () => {
  it('enqueues every registered type on its queue', async () => {
    const convert = { uploadId: 'u1', sourceFormat: 'csv', targetFormat: 'json', filename: 'a.csv' }
    for (const [type, payload, queue] of [
      ['email', email, 'default'],
      ['sms', sms, 'default'],
      ['convert', convert, 'convert'],
    ] as const) {
      const res = await post('/jobs', { type, payload })
      expect(res.status).toBe(202)
      expect(res.body.status).toBe('queued')
      const job = await t.queue(queue).getJob(String(res.body.id))
      expect(job).toMatchObject({ type, payload, queue })
    }
  })

  it('schedules with delayMs or a future runAt, and takes priority and maxAttempts', async () => {
    const delayed = await post('/jobs', { type: 'sms', payload: sms, delayMs: 60_000 })
    expect(delayed).toMatchObject({ status: 202, body: { status: 'scheduled' } })
    const at = new Date(Date.now() + 3_600_000).toISOString()
    const runAt = await post('/jobs', { type: 'sms', payload: sms, runAt: at })
    expect(runAt.body.status).toBe('scheduled')
    const job = await t.queue('default').getJob(String(runAt.body.id))
    expect(job?.state).toBe('scheduled')
    expect(job?.runAt).toBe(Date.parse(at))
    const past = await post('/jobs', { type: 'sms', payload: sms, runAt: Date.now() - 1000 })
    expect(past.body.status).toBe('queued')
    const opts = await post('/jobs', { type: 'sms', payload: sms, priority: 1, maxAttempts: 2 })
    expect(await t.queue('default').getJob(String(opts.body.id))).toMatchObject({
      priority: 1,
      maxAttempts: 2,
    })
    expect((await t.queue('default').counts()).scheduled).toBe(2)
  })

  it('says whether a dedup key matched a job: created false, dedup matched or debounced', async () => {
    const unique = { key: 'order-7', mode: 'unique' }
    const first = await post('/jobs', { type: 'sms', payload: sms, dedup: unique })
    expect(first.body).toMatchObject({ created: true, status: 'queued' })
    expect(first.body).not.toHaveProperty('dedup')
    const again = await post('/jobs', { type: 'sms', payload: sms, dedup: unique })
    expect(again).toMatchObject({
      status: 202,
      body: { id: first.body.id, created: false, dedup: 'matched' },
    })
    const debounce = { key: 'typing-3', mode: 'debounce', ttlMs: 60_000 }
    const d1 = await post('/jobs', { type: 'sms', payload: sms, dedup: debounce })
    expect(d1.body).toMatchObject({ created: true, status: 'scheduled' })
    const d2 = await post('/jobs', {
      type: 'sms',
      payload: { ...sms, message: 'sau' },
      dedup: debounce,
    })
    expect(d2.body).toMatchObject({ id: d1.body.id, created: false, dedup: 'debounced' })
    expect(await t.queue('default').getJob(String(d1.body.id))).toMatchObject({
      payload: { message: 'sau' },
    })
    const counts = await t.queue('default').counts()
    expect([counts.queued, counts.scheduled]).toEqual([1, 1])
  })

  it('documents created and dedup in the OpenAPI answer of POST /jobs and /jobs/batch', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' })
    for (const path of ['/jobs', '/jobs/batch']) {
      const op = res.json<{ paths: Record<string, { post: unknown }> }>().paths[path]?.post
      const answer = JSON.stringify((op as { responses: Record<string, unknown> }).responses['202'])
      expect(answer).toContain('"created"')
      expect(answer).toContain('"matched"')
      expect(answer).toContain('"debounced"')
    }
    // An Idempotency-Key given before for another request is a 422, documented as one.
    for (const path of ['/jobs', '/jobs/batch', '/enqueue-email', '/enqueue-sms', '/uploads']) {
      const op = res.json<{ paths: Record<string, { post: { responses: object } }> }>().paths[path]
      expect(Object.keys(op?.post.responses ?? {}), path).toContain('422')
    }
  })

  it('answers a deduplicated keyed request as deduplicated, not as a replay of its key', async () => {
    const dedup = { key: 'once', mode: 'unique' }
    const first = await post('/jobs', { type: 'sms', payload: sms, dedup })
    const keyed = await t.app.inject({
      method: 'POST',
      url: '/jobs',
      headers: { 'idempotency-key': 'k-dedup' },
      payload: { type: 'sms', payload: sms, dedup },
    })
    expect(keyed.json()).toMatchObject({ id: first.body.id, created: false, dedup: 'matched' })
    expect(keyed.headers['idempotent-replayed']).toBeUndefined()
  })

  it('names the payload field at fault, and an unknown type', async () => {
    const bad = await post('/jobs', { type: 'email', payload: { ...email, to: 'x' } })
    expect(bad.status).toBe(400)
    expect(bad.body.details).toContainEqual({ path: '/payload/to', message: anyString })
    const unknown = await post('/jobs', { type: 'fax', payload: {} })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error).toBe('unknown_job_type')
    expect(unknown.body.details).toContainEqual({ path: '/type', message: anyString })
    const badOption = await post('/jobs', { type: 'sms', payload: sms, priority: 12 })
    expect(badOption.status).toBe(400)
    expect(badOption.body.details).toContainEqual({
      path: '/priority',
      message: anyString,
    })
    expect((await t.queue('default').counts()).queued).toBe(0)
  })
})

describe('POST /jobs/batch', () => {
  it('enqueues 1000 jobs across queues and answers in order', async () => {
    const jobs = Array.from({ length: 1000 }, (_, i) =>
      i % 2 === 0
        ? { type: 'sms', payload: { ...sms, message: `tin nhắn ${i} ✉️` } }
        : {
            type: 'convert',
            payload: {
              uploadId: `u${i}`,
              sourceFormat: 'csv',
              targetFormat: 'json',
              filename: 'f.csv',
            },
          },
    )
    const res = await t.app.inject({ method: 'POST', url: '/jobs/batch', payload: { jobs } })
    expect(res.statusCode).toBe(202)
    const answered = res.json<{ jobs: { id: string; status: string; created: boolean }[] }>().jobs
    expect(answered).toHaveLength(1000)
    expect(answered.every((j) => j.created)).toBe(true)
    expect(new Set(answered.map((j) => j.id)).size).toBe(1000)
    expect((await t.queue('default').counts()).queued).toBe(500)
    expect((await t.queue('convert').counts()).queued).toBe(500)
    const third = await t.queue('convert').getJob(answered[3]!.id)
    expect(third?.payload).toMatchObject({ uploadId: 'u3' })
    const second = await t.queue('default').getJob(answered[2]!.id)
    expect(second?.payload).toMatchObject({ message: 'tin nhắn 2 ✉️' })
  })

  it('says for each job whether its dedup key matched one, in order', async () => {
    const dedup = { key: 'daily-report', mode: 'throttle', ttlMs: 600_000 }
    const res = await post('/jobs/batch', {
      jobs: [
        { type: 'sms', payload: sms, dedup },
        { type: 'sms', payload: sms },
        { type: 'sms', payload: sms, dedup },
      ],
    })
    expect(res.status).toBe(202)
    const jobs = res.body.jobs as { id: string; created: boolean; dedup?: string }[]
    expect(jobs.map((j) => [j.created, j.dedup])).toEqual([
      [true, undefined],
      [true, undefined],
      [false, 'matched'],
    ])
    expect(jobs[2]?.id).toBe(jobs[0]?.id)
    expect((await t.queue('default').counts()).queued).toBe(2)
  })

  it('enqueues none when one job is bad, naming it', async () => {
    const jobs = Array.from({ length: 6 }, () => ({ type: 'email', payload: email }))
    jobs[3] = { type: 'email', payload: { ...email, to: 'broken' } }
    const res = await post('/jobs/batch', { jobs })
    expect(res.status).toBe(400)
    expect(res.body.details).toContainEqual({
      path: '/jobs/3/payload/to',
      message: anyString,
    })
    expect((await t.queue('default').counts()).queued).toBe(0)
  })

  it('enqueues none on any queue when a job for another queue is bad', async () => {
    const convert = {
      uploadId: 'u1',
      sourceFormat: 'csv',
      targetFormat: 'json',
      filename: 'f.csv',
    }
    const jobs = [
      { type: 'sms', payload: sms },
      { type: 'convert', payload: convert },
      { type: 'sms', payload: sms },
      { type: 'convert', payload: { ...convert, uploadId: 42 } },
    ]
    const res = await post('/jobs/batch', { jobs })
    expect(res.status).toBe(400)
    expect(res.body.details).toContainEqual({
      path: '/jobs/3/payload/uploadId',
      message: anyString,
    })
    expect((await t.queue('default').counts()).queued).toBe(0)
    expect((await t.queue('convert').counts()).queued).toBe(0)
  })

  it('refuses more than 1000 jobs', async () => {
    const jobs = Array.from({ length: 1001 }, () => ({ type: 'sms', payload: sms }))
    const res = await post('/jobs/batch', { jobs })
    expect(res.status).toBe(400)
    expect(res.body.details).toContainEqual({ path: '/jobs', message: anyString })
    expect((await t.queue('default').counts()).queued).toBe(0)
  })
})
