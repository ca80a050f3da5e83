/**
 * Redis stalled (SIGSTOP): a command written to its socket gets no answer, and runs
 * once Redis wakes. The API must not say "not enqueued" for such a request, and a
 * client that retries with the same Idempotency-Key must end with one job per key,
 * never a duplicate and never a key locked by a request that failed.
 */
import { Queue } from '@conveyor/queue-core'
import { startRedisServer, type RedisServerHandle } from '@conveyor/queue-core/testing'
import { jobRegistry } from '@conveyor/service-kit'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startTestApp, type TestApp } from '../support/test-app.js'

let redis: RedisServerHandle
let t: TestApp

beforeAll(async () => {
  redis = await startRedisServer()
  t = await startTestApp({ REDIS_URL: redis.url })
})

afterAll(async () => {
  process.kill(redis.pid, 'SIGCONT')
  await t?.close()
  await redis?.stop()
})

const sms = (i: number) => ({ phone: '+84912345678', message: `stall ${i}` })

function post(i: number, key?: string) {
  return t.app.inject({
    method: 'POST',
    url: '/enqueue-sms',
    payload: sms(i),
    headers: key === undefined ? {} : { 'idempotency-key': key },
  })
}

it('answers outcome_unknown (never "not enqueued") while Redis stalls; keyed retries end with one job per key', async () => {
  // A warm server, as in production: it knows the enqueue script, so what is on its
  // socket when it wakes runs (a cold one would refuse the EVALSHA: NOSCRIPT).
  expect((await post(-1)).statusCode).toBe(202)
  process.kill(redis.pid, 'SIGSTOP')
  let stalled: Awaited<ReturnType<typeof post>>[]
  try {
    stalled = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => post(i)),
      ...Array.from({ length: 5 }, (_, i) => post(100 + i, `key-${i}`)),
    ])
  } finally {
    process.kill(redis.pid, 'SIGCONT')
  }
  for (const res of stalled) {
    expect(res.statusCode).toBe(503)
    expect(res.json()).toMatchObject({ error: 'outcome_unknown' })
    expect(res.headers['retry-after']).toBe('1')
  }
  // Redis woke and ran what was on its socket: the answer was right to say "unknown".
  const queue = new Queue({ connection: redis.url, registry: jobRegistry, prefix: t.prefix })
  const deadline = Date.now() + 10_000
  while ((await queue.counts()).queued < 11 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  expect((await queue.counts()).queued).toBe(11)

  // The keyed ones, retried as a careful client would: the same job back, no lockout.
  const retried = await Promise.all(Array.from({ length: 5 }, (_, i) => post(100 + i, `key-${i}`)))
  for (const res of retried) {
    expect(res.statusCode).toBe(202)
    expect(res.headers['idempotent-replayed']).toBe('true')
  }
  expect((await queue.counts()).queued).toBe(11)
  // A new key right after the stall is not locked either.
  expect((await post(200, 'key-new')).statusCode).toBe(202)
  await queue.close()
})
