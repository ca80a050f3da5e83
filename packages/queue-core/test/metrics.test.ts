import { describe, expect, it } from 'vitest'
import { HISTOGRAM_BUCKETS_MS } from '../src/index.js'
import { harness, until } from './support/harness.js'

describe('queue metrics', () => {
  it('counts outcomes and gathers duration and wait histograms from the workers', async () => {
    const h = harness()
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
    await until(
      async () => (await h.queue.counts()).dead === 1 && (await h.queue.counts()).completed === 2,
      'outcomes',
    )
    await w.close()
    const m = await h.queue.metrics()
    expect(m.totals).toEqual({ completed: 2, failed: 2, retried: 1, dead: 1, stalled: 0 })
    // 4 handler runs: 2 completions and 2 failed attempts; the close flushed them.
    expect(m.durationMs.count).toBe(4)
    expect(m.waitMs.count).toBe(4)
    expect(m.durationMs.bucketsMs).toEqual([...HISTOGRAM_BUCKETS_MS])
    expect(m.durationMs.counts).toHaveLength(HISTOGRAM_BUCKETS_MS.length + 1)
    expect(m.oldestQueuedAgeMs).toBeNull()
  })

  it('reports how long the oldest queued job has waited', async () => {
    const h = harness()
    await h.queue.enqueue('task', { n: 1 }, { priority: 9 })
    await new Promise((resolve) => setTimeout(resolve, 60))
    await h.queue.enqueue('task', { n: 2 }, { priority: 0 })
    const m = await h.queue.metrics()
    expect(m.counts.queued).toBe(2)
    // The priority-9 job came first: its age counts, though it runs last.
    expect(m.oldestQueuedAgeMs).toBeGreaterThanOrEqual(60)
  })
})
