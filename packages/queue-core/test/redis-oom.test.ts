/**
 * Redis out of memory under `noeviction` (its limit set below what it uses): enqueues are
 * refused as `redis_write_refused`, while workers still finish the jobs already queued:
 * reserving and completing one frees as much as it takes, and those scripts begin with
 * commands Redis runs in that state. So a full Redis drains instead of standing still.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { isConveyorError } from '../src/index.js'
import { startRedisServer, type RedisServerHandle } from '../src/testing/index.js'
import { harness, until } from './support/harness.js'

let redis: RedisServerHandle
beforeAll(async () => {
  redis = await startRedisServer()
})
afterAll(() => redis?.stop())

it('refuses enqueues but completes queued jobs while Redis is out of memory', async () => {
  const h = harness(redis.url)
  await h.queue.enqueueBulk(
    Array.from({ length: 20 }, (_, n) => ({ type: 'task', payload: { n } })),
  )
  await h.redis.config('SET', 'maxmemory-policy', 'noeviction')
  await h.redis.config('SET', 'maxmemory', '1')
  try {
    const refused = await h.queue.enqueue('task', { n: 99 }).catch((err: unknown) => err)
    expect(isConveyorError(refused, 'redis_write_refused')).toBe(true)
    const errors: unknown[] = []
    const w = h.worker({ concurrency: 5, handlers: { task: (job) => ({ n: job.payload.n }) } })
    w.on('error', (err) => errors.push(err))
    await until(
      async () => (await h.queue.counts()).completed === 20,
      'the queued jobs to complete',
    )
    // Only best-effort writes (metrics, the worker registry) may be refused meanwhile.
    expect(errors.filter((err) => !isConveyorError(err, 'redis_write_refused'))).toEqual([])
  } finally {
    await h.redis.config('SET', 'maxmemory', '0')
  }
  expect((await h.queue.enqueue('task', { n: 100 })).id).toMatch(/^default:/)
})
