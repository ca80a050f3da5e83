import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Worker } from '../src/index.js'
import { startRedisServer, type RedisServerHandle } from '../src/testing/index.js'
import { harness, until, type TestTypes } from './support/harness.js'
import { keysUnder, memoryByKey, sum } from './support/keyspace.js'

type Harness = ReturnType<typeof harness>

function taskJobs(count: number, from: number) {
  return Array.from({ length: count }, (_, i) => ({
    type: 'task' as const,
    payload: { n: from + i },
  }))
}

/** Enqueues `total` task jobs in bulk slices while `worker` drains them; waits until all are acked. */
async function drain(
  h: Harness,
  worker: Worker<TestTypes>,
  handled: { count: number },
  total: number,
  slice: number,
): Promise<void> {
  const errors: unknown[] = []
  worker.on('error', (err) => errors.push(err))
  for (let from = 0; from < total; from += slice) {
    await h.queue.enqueueBulk(taskJobs(Math.min(slice, total - from), from))
  }
  await until(
    async () => {
      if (handled.count < total) return false
      const c = await h.queue.counts()
      return c.queued === 0 && c.active === 0
    },
    `${total} jobs drained`,
    110_000,
  )
  expect(errors).toEqual([])
  expect(handled.count).toBe(total)
}

const MB = 1024 * 1024

// A private server: MEMORY USAGE and SCAN see only this file's keys, whatever runs beside it.
describe('memory', () => {
  let server: RedisServerHandle
  beforeAll(async () => {
    server = await startRedisServer()
  })
  // afterAll, not afterEach: the harness deletes its keys (on this server) after each test.
  afterAll(async () => {
    await server.stop()
  })

  it('stays bounded after 100k completed jobs with completedCount 1000', async () => {
    const h = harness(server.url)
    const handled = { count: 0 }
    const worker = h.worker({
      concurrency: 50,
      retention: { completedMs: 86_400_000, completedCount: 1000 },
      handlers: {
        task: (job) => {
          handled.count += 1
          return job.payload.n
        },
      },
    })
    await drain(h, worker, handled, 100_000, 5_000)
    const k = h.queue.keys
    // The worker's retention pruner runs on a timer of its own, every second.
    await until(async () => (await h.redis.zcard(k.completed)) === 1000, 'the pruner to trim')
    await worker.close()

    const [specs, states, results, completed, leases] = await Promise.all([
      h.redis.hlen(k.specs),
      h.redis.hlen(k.state),
      h.redis.hlen(k.results),
      h.redis.zcard(k.completed),
      h.redis.zcard(k.leases),
    ])
    // Exactly the newest 1000 are kept: every job finished well within completedMs.
    expect({ specs, states, results, completed, leases }).toEqual({
      specs: 1000,
      states: 1000,
      results: 1000,
      completed: 1000,
      leases: 0,
    })
    expect(await h.redis.hlen(k.progress)).toBe(0)
    expect(await h.redis.hlen(k.errors)).toBe(0)
    // The kept ones are the last to complete, and each is still readable in full.
    const newest = await h.queue.list('completed', { limit: 5 })
    expect(newest.total).toBe(1000)
    expect(newest.jobs.map((j) => j.state)).toEqual(Array(5).fill('completed'))
    const full = await h.queue.getJobs(newest.jobs.map((j) => j.id))
    expect(full.every((j) => typeof j?.result === 'number')).toBe(true)

    // Approximate trimming (XADD MAXLEN ~) may keep up to one stream node past the cap.
    const events = await h.redis.xlen(k.events)
    expect(events).toBeLessThanOrEqual(10_000 + 200)
    const info = (await h.redis.xinfo('STREAM', k.events)) as unknown[]
    const added = info[info.indexOf('entries-added') + 1]

    const keys = await keysUnder(h.redis, h.prefix)
    const sizes = await memoryByKey(h.redis, keys)
    const total = sum(sizes.values())
    const withoutEvents = total - (sizes.get(k.events) ?? 0)
    console.log(
      `[memory] after 100k jobs, completedCount 1000: events XLEN ${events} ` +
        `(entries-added ${String(added)}), ${keys.length} keys, ` +
        `${(total / MB).toFixed(2)} MB in all, ${(withoutEvents / MB).toFixed(2)} MB without events; ` +
        [...sizes].map(([key, b]) => `${key.slice(h.prefix.length + 1)}=${b}`).join(' '),
    )
    // 100k retained jobs would take ~30 MB (see the per-job test below); the 1000 kept take
    // about 0.7 MB, plus up to ~2 MB of bucket arrays while Redis shrinks the specs and state
    // hash tables (it rehashes them step by step after the deletes, so a measurement taken
    // just after the pruner's last call may catch both tables). The events stream is capped
    // by entries, not bytes, and an entry carries a whole batch of ids: at 100k jobs it holds
    // about 4.5 MB on its own.
    expect(withoutEvents).toBeLessThan(4 * MB)
    expect(total).toBeLessThan(10 * MB)
  }, 120_000)

  it('keeps nothing after 20,000 jobs with completedMs 0', async () => {
    const h = harness(server.url)
    const handled = { count: 0 }
    const worker = h.worker({
      concurrency: 50,
      retention: { completedMs: 0 },
      handlers: {
        task: (job) => {
          handled.count += 1
          return job.payload.n
        },
      },
    })
    await drain(h, worker, handled, 20_000, 5_000)
    await worker.close()

    const k = h.queue.keys
    const lengths = await Promise.all([
      h.redis.hlen(k.specs),
      h.redis.hlen(k.state),
      h.redis.hlen(k.results),
      h.redis.hlen(k.progress),
      h.redis.hlen(k.errors),
      h.redis.zcard(k.completed),
      h.redis.zcard(k.leases),
    ])
    expect(lengths).toEqual([0, 0, 0, 0, 0, 0, 0])
    expect(await h.redis.exists(k.specs, k.state, k.results, k.completed, k.leases)).toBe(0)
    expect((await h.queue.counts()).completed).toBe(0)
  }, 120_000)

  it('costs under 384 bytes per completed job kept with the default retention', async () => {
    const h = harness(server.url)
    const handled = { count: 0 }
    const worker = h.worker({
      concurrency: 50,
      handlers: {
        task: () => {
          handled.count += 1
        },
      },
    })
    await drain(h, worker, handled, 10_000, 5_000)
    await worker.close()

    const k = h.queue.keys
    expect(await h.redis.zcard(k.completed)).toBe(10_000)
    expect(await h.redis.hlen(k.specs)).toBe(10_000)
    const sizes = await memoryByKey(h.redis, [k.specs, k.state, k.completed])
    const perJob = sum(sizes.values()) / 10_000
    console.log(
      `[memory] default retention, 10,000 kept: ` +
        [...sizes].map(([key, b]) => `${key.slice(h.prefix.length + 1)}=${b}`).join(' ') +
        `; ${perJob.toFixed(1)} bytes per job`,
    )
    // Measured: ~294 bytes (jobs ~181: record and spec in one field; completed ~113).
    expect(perJob).toBeLessThan(384)
  }, 120_000)
})
