import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Queue } from '../src/index.js'
import { startRedisServer, type RedisServerHandle } from '../src/testing/index.js'
import { harness, registry, until } from './support/harness.js'

let server: RedisServerHandle
beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(async () => {
  await server.stop()
})

describe('dedup on enqueue', () => {
  it('unique: a repeat returns the id while the job is queued or running, not once it is done', async () => {
    const h = harness(server.url)
    const dedup = { key: 'order-1', mode: 'unique' } as const
    const first = await h.queue.enqueue('task', { n: 1 }, { dedup })
    expect(first.created).toBe(true)
    expect(await h.queue.enqueue('task', { n: 2 }, { dedup })).toEqual({
      id: first.id,
      created: false,
      dedup: 'matched',
    })
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    const ran: number[] = []
    h.worker({
      concurrency: 2,
      handlers: {
        task: async (job) => {
          ran.push(job.payload.n)
          if (job.payload.n === 1) await held
        },
      },
    })
    await until(() => ran.length === 1, 'the job running')
    expect((await h.queue.enqueue('task', { n: 3 }, { dedup })).id).toBe(first.id)
    release()
    await until(async () => (await h.queue.getJob(first.id))?.state === 'completed', 'completed')
    const next = await h.queue.enqueue('task', { n: 4 }, { dedup })
    expect(next.created).toBe(true)
    expect(next.id).not.toBe(first.id)
    await until(() => ran.length === 2, 'the second job')
    expect(ran).toEqual([1, 4])
  })

  it('throttle: repeats within ttlMs return the first id; after it, a new job', async () => {
    const h = harness(server.url)
    const long = { key: 'k', mode: 'throttle', ttlMs: 600_000 } as const
    const first = await h.queue.enqueue('task', { n: 1 }, { dedup: long })
    const again = await h.queue.enqueueBulk([
      { type: 'task', payload: { n: 2 }, options: { dedup: long } },
      { type: 'task', payload: { n: 3 }, options: { dedup: long } },
    ])
    expect(again.map((r) => r.id)).toEqual([first.id, first.id])
    const short = { key: 's', mode: 'throttle', ttlMs: 50 } as const
    const a = await h.queue.enqueue('task', { n: 1 }, { dedup: short })
    await until(
      async () => (await h.queue.enqueue('task', { n: 2 }, { dedup: short })).created,
      'the window to pass',
    )
    const ids = (await h.queue.list('queued', { limit: 10 })).jobs.map((j) => j.id)
    expect(ids).toContain(a.id)
    expect(ids.length).toBe(3)
  })

  it('debounce: a repeat replaces the pending payload and pushes its run time; it runs once', async () => {
    const h = harness(server.url)
    const later = { key: 'd', mode: 'debounce', ttlMs: 600_000 } as const
    const first = await h.queue.enqueue('task', { n: 1 }, { dedup: later })
    const before = await h.queue.getJob(first.id)
    expect(before?.state).toBe('scheduled')
    const again = await h.queue.enqueue('task', { n: 2 }, { dedup: later })
    expect(again).toEqual({ id: first.id, created: false, dedup: 'debounced' })
    const after = await h.queue.getJob(first.id)
    expect(after?.payload).toEqual({ n: 2 })
    expect(after?.runAt).toBeGreaterThanOrEqual(before?.runAt ?? Infinity)

    const soon = { key: 'e', mode: 'debounce', ttlMs: 1_000 } as const
    const ran: number[] = []
    h.worker({ concurrency: 2, handlers: { task: (job) => void ran.push(job.payload.n) } })
    const ids = new Set<string>()
    for (const n of [10, 11, 12])
      ids.add((await h.queue.enqueue('task', { n }, { dedup: soon })).id)
    expect(ids.size).toBe(1)
    await until(() => ran.length === 1, 'the debounced job')
    expect(ran).toEqual([12])
    // Once it ran, the key starts a new job.
    expect((await h.queue.enqueue('task', { n: 13 }, { dedup: soon })).created).toBe(true)
  })

  it('two producers racing the same key make one job', async () => {
    const h = harness(server.url)
    const other = new Queue({ connection: server.url, registry, prefix: h.prefix })
    try {
      for (const mode of ['unique', 'throttle', 'debounce'] as const) {
        const dedup = { key: `race-${mode}`, mode, ttlMs: 600_000 }
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, n) =>
            (n % 2 === 0 ? h.queue : other).enqueue('task', { n }, { dedup }),
          ),
        )
        expect(results.filter((r) => r.created)).toHaveLength(1)
        expect(new Set(results.map((r) => r.id)).size).toBe(1)
      }
    } finally {
      await other.close()
    }
  })

  it('refuses throttle and debounce without ttlMs, naming the field', async () => {
    const h = harness(server.url)
    await expect(
      h.queue.enqueue('task', { n: 1 }, { dedup: { key: 'k', mode: 'throttle' } }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
      details: [{ path: '/options/dedup/ttlMs', message: 'is required by mode throttle' }],
    })
    await expect(
      h.queue.enqueue('task', { n: 1 }, { dedup: { key: 'k', mode: 'sometimes' as 'unique' } }),
    ).rejects.toMatchObject({ code: 'validation_failed' })
  })
})
