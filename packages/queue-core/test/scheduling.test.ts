import { describe, expect, it } from 'vitest'
import { harness, until } from './support/harness.js'

async function redisNow(h: ReturnType<typeof harness>): Promise<number> {
  const [s, us] = await h.redis.time()
  return Number(s) * 1000 + Math.floor(Number(us) / 1000)
}

describe('delayed and prioritised jobs', () => {
  it('holds a delayed job as scheduled and runs it no earlier than its delay', async () => {
    const h = harness()
    const before = await redisNow(h)
    const { id } = await h.queue.enqueue('task', { n: 1 }, { delayMs: 300 })
    const job = await h.queue.getJob(id)
    expect(job?.state).toBe('scheduled')
    expect(job?.runAt).toBeGreaterThanOrEqual(before + 300)
    expect((await h.queue.counts()).scheduled).toBe(1)
    expect((await h.queue.list('scheduled')).jobs.map((j) => j.id)).toEqual([id])
    let startedAt = 0
    h.worker({ handlers: { task: async () => void (startedAt = await redisNow(h)) } })
    await until(async () => (await h.queue.getJob(id))?.state === 'completed', 'the delayed job')
    expect(startedAt).toBeGreaterThanOrEqual(before + 300)
  })

  it('runs a job at a given time (Date or ms), and at once when that time is past', async () => {
    const h = harness()
    const now = await redisNow(h)
    const later = await h.queue.enqueue('task', { n: 1 }, { runAt: new Date(now + 60_000) })
    const past = await h.queue.enqueue('task', { n: 2 }, { runAt: now - 1_000 })
    expect((await h.queue.getJob(later.id))?.state).toBe('scheduled')
    expect((await h.queue.getJob(later.id))?.runAt).toBe(now + 60_000)
    expect((await h.queue.getJob(past.id))?.state).toBe('queued')
  })

  it('wakes a sleeping worker for a delayed job due sooner than it planned to look', async () => {
    const h = harness()
    const done: number[] = []
    // blockMs is long: only the wake-up on enqueue can make this job run in time.
    h.worker({ blockMs: 60_000, handlers: { task: (job) => void done.push(job.payload.n) } })
    await new Promise((resolve) => setTimeout(resolve, 50))
    await h.queue.enqueue('task', { n: 1 }, { delayMs: 100 })
    await until(() => done.length === 1, 'the delayed job', 5_000)
  })

  it('runs higher priorities first (0 first, 9 last), first in first out within one', async () => {
    const h = harness()
    const order = [
      { n: 1, priority: 9 },
      { n: 2, priority: 5 },
      { n: 3, priority: 0 },
      { n: 4, priority: 5 },
      { n: 5, priority: 0 },
      { n: 6 }, // default priority 5
    ]
    for (const { n, priority } of order) {
      await h.queue.enqueue('task', { n }, priority === undefined ? {} : { priority })
    }
    const queued = await h.queue.list('queued')
    expect(queued.total).toBe(6)
    expect(queued.jobs.map((j) => (j.payload as { n: number }).n)).toEqual([3, 5, 2, 4, 6, 1])
    const page = await h.queue.list('queued', { offset: 1, limit: 3 })
    expect(page.jobs.map((j) => (j.payload as { n: number }).n)).toEqual([5, 2, 4])
    const ran: number[] = []
    h.worker({
      concurrency: 1,
      prefetch: 0,
      handlers: { task: (job) => void ran.push(job.payload.n) },
    })
    await until(() => ran.length === 6, 'all six jobs')
    expect(ran).toEqual([3, 5, 2, 4, 6, 1])
  })

  it('keeps a delayed job its priority when it becomes due', async () => {
    const h = harness()
    await h.queue.pause()
    await h.queue.enqueue('task', { n: 1 }, { priority: 9 })
    await h.queue.enqueue('task', { n: 2 }, { priority: 0, delayMs: 50 })
    await new Promise((resolve) => setTimeout(resolve, 80))
    await h.queue.resume()
    const ran: number[] = []
    h.worker({
      concurrency: 1,
      prefetch: 0,
      handlers: { task: (job) => void ran.push(job.payload.n) },
    })
    await until(() => ran.length === 2, 'both jobs')
    expect(ran).toEqual([2, 1])
  })
})

describe('idempotency', () => {
  it('returns the first job for a repeated idempotency key and creates nothing', async () => {
    const h = harness()
    const first = await h.queue.enqueue('task', { n: 1 }, { idempotencyKey: 'order-42' })
    const again = await h.queue.enqueue('task', { n: 2 }, { idempotencyKey: 'order-42' })
    expect(first.created).toBe(true)
    expect(again).toEqual({ id: first.id, created: false })
    expect((await h.queue.counts()).queued).toBe(1)
    expect((await h.queue.getJob(first.id))?.payload).toEqual({ n: 1 })
    const bulk = await h.queue.enqueueBulk([
      { type: 'task', payload: { n: 3 }, options: { idempotencyKey: 'order-42' } },
      { type: 'task', payload: { n: 4 }, options: { idempotencyKey: 'order-43' } },
      { type: 'task', payload: { n: 5 }, options: { idempotencyKey: 'order-43' } },
    ])
    expect(bulk.map((r) => r.created)).toEqual([false, true, false])
    expect(bulk[0]?.id).toBe(first.id)
    expect(bulk[2]?.id).toBe(bulk[1]?.id)
    expect((await h.queue.counts()).queued).toBe(2)
  })

  it('treats a caller-chosen job id as the identity of the job', async () => {
    const h = harness()
    const a = await h.queue.enqueue('task', { n: 1 }, { jobId: 'report:2026-11-25' })
    const b = await h.queue.enqueue('task', { n: 1 }, { jobId: 'report:2026-11-25' })
    // A job id names its queue: the caller's id is its local part.
    expect(a).toEqual({ id: 'default:report:2026-11-25', created: true })
    expect(b).toEqual({ id: 'default:report:2026-11-25', created: false })
    expect((await h.queue.getJob(a.id))?.payload).toEqual({ n: 1 })
  })

  it('frees the key once its job is removed', async () => {
    const h = harness()
    const first = await h.queue.enqueue('task', { n: 1 }, { idempotencyKey: 'k' })
    await h.queue.remove(first.id)
    const second = await h.queue.enqueue('task', { n: 1 }, { idempotencyKey: 'k' })
    expect(second.created).toBe(true)
    expect(second.id).not.toBe(first.id)
    expect(await h.redis.hget(h.queue.keys.idem, 'k')).toBe(h.queue.localId(second.id))
  })
})
