import { createHash } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './support/test-app.js'

let t: TestApp
beforeEach(async () => {
  t = await startTestApp()
})
afterEach(() => t.close())

const sms = { phone: '+84912345678', message: 'Xin chào 👋' }

function send(key: string, payload: unknown, url = '/enqueue-sms') {
  return t.app.inject({
    method: 'POST',
    url,
    headers: { 'idempotency-key': key },
    payload: payload as object,
  })
}

it('replays the first answer for the same key and body, creating one job', async () => {
  const first = await send('order-42', sms)
  const second = await send('order-42', sms)
  expect(first.statusCode).toBe(202)
  expect(second.statusCode).toBe(202)
  expect(second.json()).toEqual(first.json())
  expect(second.headers['idempotent-replayed']).toBe('true')
  expect((await t.queue('default').counts()).queued).toBe(1)
})

it('answers 422 for the same key with another body, creating nothing more', async () => {
  expect((await send('k-1', sms)).statusCode).toBe(202)
  const reused = await send('k-1', { ...sms, message: 'khác' })
  expect(reused.statusCode).toBe(422)
  expect(reused.json()).toMatchObject({ error: 'idempotency_key_reused' })
  const otherRoute = await send('k-1', sms, '/jobs')
  expect(otherRoute.statusCode).toBe(422)
  expect((await t.queue('default').counts()).queued).toBe(1)
})

it('answers 409 while a request with the key is in flight, and stores under the prefix', async () => {
  const redis = new Redis(t.redisUrl)
  try {
    const digest = createHash('sha256').update('busy').digest('hex')
    const key = `${t.prefix}:api:idem:${digest}`
    const first = await send('busy', sms)
    expect(first.statusCode).toBe(202)
    const stored = JSON.parse((await redis.get(key)) ?? '{}') as { state: string; status: number }
    expect(stored).toMatchObject({ state: 'done', status: 202 })
    const ttl = await redis.ttl(key)
    expect(ttl).toBeGreaterThan(23 * 3600)
    expect(ttl).toBeLessThanOrEqual(24 * 3600)

    // A pending marker, as a request still running leaves it.
    const fingerprint = (JSON.parse((await redis.get(key)) ?? '{}') as { fingerprint: string })
      .fingerprint
    await redis.set(key, JSON.stringify({ state: 'pending', fingerprint }))
    const during = await send('busy', sms)
    expect(during.statusCode).toBe(409)
  } finally {
    redis.disconnect()
  }
})

it('replays a validation failure too, and keys are independent', async () => {
  const bad = await send('k-bad', { ...sms, phone: 'x' })
  expect(bad.statusCode).toBe(400)
  expect((await send('k-bad', { ...sms, phone: 'x' })).json()).toEqual(bad.json())
  expect((await send('k-other', sms)).statusCode).toBe(202)
  expect((await t.queue('default').counts()).queued).toBe(1)
})
