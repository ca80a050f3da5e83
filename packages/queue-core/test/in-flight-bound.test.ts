import { describe, expect, it } from 'vitest'
import { harness, until } from './support/harness.js'

describe('jobs a crash can repeat', () => {
  it('never exceeds concurrency: a finished job keeps its slot until its outcome is stored', async () => {
    const h = harness()
    const concurrency = 3
    await h.queue.enqueueBulk(
      Array.from({ length: 120 }, (_, n) => ({ type: 'task' as const, payload: { n } })),
    )
    const finished = new Set<string>()
    let running = 0
    let worst = 0
    h.worker({
      concurrency,
      handlers: {
        task: async (job) => {
          running += 1
          // Finished here but still active in Redis: their outcome is not stored yet, so a
          // SIGKILL now would run them again, like the ones running.
          const ids = [...finished]
          const states = ids.length > 0 ? await h.redis.hmget(h.queue.keys.st, ...ids) : []
          const unstored = states.filter((s) => s?.startsWith('active|')).length
          worst = Math.max(worst, running + unstored)
          running -= 1
          finished.add(job.id)
        },
      },
    })
    await until(async () => (await h.queue.counts()).completed === 120, 'every job')
    expect(worst).toBeGreaterThan(0)
    expect(worst).toBeLessThanOrEqual(concurrency)
  })
})
