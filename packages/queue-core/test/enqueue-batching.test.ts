import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRedisServer, type RedisServerHandle } from '../src/testing/index.js'
import { harness } from './support/harness.js'

describe('single enqueues made together', () => {
  // A private server: its command counts are this file's alone, whatever runs beside it.
  let server: RedisServerHandle
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    await server.stop()
  })

  it('share script calls and still answer each caller with its own job', async () => {
    const h = harness(server.url)
    const evalshaCalls = async () => {
      const info = await h.redis.info('commandstats')
      return Number(/cmdstat_evalsha:calls=(\d+)/.exec(info)?.[1] ?? 0)
    }
    const before = await evalshaCalls()
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, n) => h.queue.enqueue('task', { n })),
    )
    const calls = (await evalshaCalls()) - before
    console.log(`[enqueue-batching] 300 enqueues, ${calls} evalsha call(s)`)
    expect(new Set(results.map((r) => r.id)).size).toBe(300)
    expect(results.every((r) => r.created)).toBe(true)
    expect((await h.queue.counts()).queued).toBe(300)
    // Each caller's id is its own job: the payload went with the right id.
    const fifth = await h.queue.getJob(results[5]?.id ?? '')
    expect(fifth?.payload).toEqual({ n: 5 })
    // Measured: 1 call for the 300 (made in one turn). Well under one per job is the point.
    expect(calls).toBeLessThan(10)
  })

  it('lets one idempotency key made twice in one turn create one job', async () => {
    const h = harness()
    const [a, b] = await Promise.all([
      h.queue.enqueue('task', { n: 1 }, { idempotencyKey: 'same' }),
      h.queue.enqueue('task', { n: 1 }, { idempotencyKey: 'same' }),
    ])
    expect(a?.id).toBe(b?.id)
    expect([a?.created, b?.created]).toEqual([true, false])
    expect((await h.queue.counts()).queued).toBe(1)
  })

  it('refuses a bad job alone, not the good ones made with it', async () => {
    const h = harness()
    const settled = await Promise.allSettled([
      h.queue.enqueue('task', { n: 1 }),
      // @ts-expect-error: the payload is wrong on purpose
      h.queue.enqueue('task', { n: 'two' }),
      h.queue.enqueue('task', { n: 3 }),
    ])
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((await h.queue.counts()).queued).toBe(2)
  })
})
