import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRedisServer, type RedisServerHandle } from '../src/testing/index.js'
import { harness, until } from './support/harness.js'

// A private server: keyspace notifications are switched on for this file alone.
describe('storage v2: a payload is written once', () => {
  let server: RedisServerHandle
  beforeAll(async () => {
    server = await startRedisServer()
  })
  afterAll(async () => {
    await server.stop()
  })

  it('writes a 100 KB spec once at enqueue and never again through retries, completion and retention', async () => {
    const h = harness(server.url)
    const k = h.queue.keys
    await h.redis.config('SET', 'notify-keyspace-events', 'Kh')
    const sub = new Redis(server.url)
    const writes: string[] = []
    await sub.subscribe(`__keyspace@0__:${k.specs}`, `__keyspace@0__:${k.state}`)
    sub.on('message', (channel: string, op: string) => {
      writes.push(`${channel.endsWith(':specs') ? 'specs' : 'state'} ${op}`)
    })
    try {
      const label = 'x'.repeat(100_000)
      const { id } = await h.queue.enqueue(
        'task',
        { n: 1, label },
        { maxAttempts: 3, backoff: { type: 'fixed', delayMs: 0 } },
      )
      let calls = 0
      h.worker({
        handlers: {
          task: (job) => {
            calls += 1
            if (calls < 3) throw new Error(`attempt ${job.attempt} fails`)
            return { length: job.payload.label?.length }
          },
        },
      })
      await until(async () => (await h.queue.getJob(id))?.state === 'completed', 'completion')
      const job = await h.queue.getJob(id)
      expect(job).toMatchObject({ attempts: 3, result: { length: 100_000 } })
      await until(
        () => writes.filter((w) => w.startsWith('state')).length >= 6,
        'the notifications',
      )
      // One write of the spec; each state change a write of the small record instead.
      expect(writes.filter((w) => w.startsWith('specs'))).toEqual(['specs hset'])
      const local = h.queue.localId(id)
      expect(await h.redis.hstrlen(k.state, local)).toBeLessThan(100)
      expect(await h.redis.hstrlen(k.specs, local)).toBeGreaterThan(100_000)

      await h.queue.remove(id)
      await until(() => writes.includes('specs hdel'), 'the removal')
      expect(writes.filter((w) => w.startsWith('specs'))).toEqual(['specs hset', 'specs hdel'])
    } finally {
      await sub.quit()
    }
  })

  it('keeps no record for a job waiting for its first run', async () => {
    const h = harness(server.url)
    const { id } = await h.queue.enqueue('task', { n: 1 })
    expect(await h.redis.hlen(h.queue.keys.state)).toBe(0)
    expect(await h.queue.getJob(id)).toMatchObject({ state: 'queued', attempts: 0 })
    await h.queue.cancel(id)
    expect(await h.queue.getJob(id)).toMatchObject({ state: 'cancelled', priority: 5 })
    await h.queue.retry(id)
    expect((await h.queue.list('queued')).jobs.map((j) => j.id)).toEqual([id])
  })
})
