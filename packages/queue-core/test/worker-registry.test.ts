import { describe, expect, it } from 'vitest'
import { QueueInspector } from '../src/index.js'
import { harness, until } from './support/harness.js'

describe('the worker registry and the metrics history', () => {
  it('lists each worker from its heartbeat, and forgets it on a clean close', async () => {
    const h = harness()
    const inspector = new QueueInspector(h.queue)
    let release: () => void = () => undefined
    const holding = new Promise<void>((resolve) => (release = resolve))
    const { id } = await h.queue.enqueue('task', { n: 1 })
    const w = h.worker({ concurrency: 3, leaseMs: 900, handlers: { task: () => holding } })
    await until(async () => (await inspector.workers())[0]?.running.length === 1, 'a heartbeat')
    const [seen] = await inspector.workers()
    expect(seen).toMatchObject({
      id: w.id,
      queue: h.queue.name,
      pid: process.pid,
      concurrency: 3,
      busy: 1,
      running: [id],
      status: 'alive',
    })
    expect(seen?.rssBytes).toBeGreaterThan(0)
    release()
    await w.close()
    expect(await inspector.workers()).toEqual([])
  })

  it('marks a worker that stopped beating stale, then dead', async () => {
    const h = harness()
    const inspector = new QueueInspector(h.queue)
    const w = h.worker({ leaseMs: 900, handlers: { task: () => undefined } })
    await until(async () => (await inspector.workers()).length === 1, 'a heartbeat')
    const [entry] = await inspector.workers()
    const at = entry?.at ?? 0
    expect((await inspector.workers(at + 4 * 300))[0]?.status).toBe('stale')
    expect((await inspector.workers(at + 11 * 300))[0]?.status).toBe('dead')
    await w.close()
  })

  it('keeps completed, failed and retried counts and wait and run times per minute and per hour, per type', async () => {
    const h = harness()
    const inspector = new QueueInspector(h.queue)
    await h.queue.enqueueBulk([
      { type: 'task', payload: { n: 1 } },
      { type: 'task', payload: { n: 2 } },
      {
        type: 'task',
        payload: { n: 3 },
        options: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 0 } },
      },
    ])
    const w = h.worker({
      handlers: {
        task: (job) => {
          if (job.payload.n === 3) throw new Error('always')
        },
      },
    })
    await until(async () => (await h.queue.counts()).dead === 1, 'outcomes')
    await until(async () => (await h.queue.counts()).completed === 2, 'completions')
    await w.close()
    const now = Date.now()
    for (const resolution of ['m', 'h'] as const) {
      const { points, total } = await inspector.history({
        resolution,
        fromMs: now - 3_600_000,
        toMs: now,
      })
      const sum = points.reduce(
        (acc, p) => ({
          completed: acc.completed + p.completed,
          failed: acc.failed + p.failed,
          retried: acc.retried + p.retried,
        }),
        { completed: 0, failed: 0, retried: 0 },
      )
      expect(sum, resolution).toEqual({ completed: 2, failed: 1, retried: 1 })
      expect(total).toMatchObject({ ...sum, byType: { task: sum } })
      // every start waited and every counted run has its time, kept by type
      expect(total.byType.task?.waitMs?.count, resolution).toBe(4)
      expect(total.byType.task?.runMs?.count, resolution).toBe(4)
      expect(total.runMs?.p99).toBeGreaterThanOrEqual(0)
      expect(points.length).toBe(resolution === 'm' ? 61 : 2)
    }
  })
})
