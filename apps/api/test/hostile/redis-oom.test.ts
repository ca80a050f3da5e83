/**
 * Redis out of memory under `noeviction`: it still answers PING, but refuses every
 * write. The API must say so (503 `redis_write_refused` with Retry-After, never a 500)
 * and `/readyz` must take it out of a load balancer's rotation until writes work again.
 */
import { startRedisServer, type RedisServerHandle } from '@conveyor/queue-core/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../support/test-app.js'

let redis: RedisServerHandle
let admin: Redis
let t: TestApp

beforeAll(async () => {
  redis = await startRedisServer()
  admin = new Redis(redis.url)
  t = await startTestApp({ REDIS_URL: redis.url })
})

afterAll(async () => {
  admin?.disconnect()
  await t?.close()
  await redis?.stop()
})

const sms = { phone: '+84912345678', message: 'out of memory' }

it('answers 503 redis_write_refused and is not ready while Redis is out of memory', async () => {
  const before = await t.app.inject({ method: 'POST', url: '/enqueue-sms', payload: sms })
  expect(before.statusCode).toBe(202)
  expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200)

  // A limit below what Redis uses now: every write that may grow memory is refused.
  await admin.config('SET', 'maxmemory-policy', 'noeviction')
  await admin.config('SET', 'maxmemory', '1')
  try {
    for (const request of [
      { url: '/enqueue-sms', payload: sms, headers: {} },
      { url: '/enqueue-sms', payload: sms, headers: { 'idempotency-key': 'oom-1' } },
      { url: '/jobs/batch', payload: { jobs: [{ type: 'sms', payload: sms }] }, headers: {} },
    ]) {
      const res = await t.app.inject({ method: 'POST', ...request })
      expect(res.statusCode).toBe(503)
      expect(res.json()).toMatchObject({ error: 'redis_write_refused' })
      expect(res.headers['retry-after']).toBeDefined()
    }
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.statusCode).toBe(503)
    expect(ready.json()).toEqual({ status: 'unavailable', redis: 'write_refused' })
    // Reads still work: an operator can see what is there.
    const job = await t.app.inject({
      method: 'GET',
      url: `/jobs/${before.json<{ id: string }>().id}`,
    })
    expect(job.statusCode).toBe(200)
  } finally {
    await admin.config('SET', 'maxmemory', '0')
  }
  expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200)
  const after = await t.app.inject({
    method: 'POST',
    url: '/enqueue-sms',
    payload: sms,
    headers: { 'idempotency-key': 'oom-1' },
  })
  // The key that was refused during the outage locked nothing.
  expect(after.statusCode).toBe(202)
  expect(after.headers['idempotent-replayed']).toBeUndefined()
})
