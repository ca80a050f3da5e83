import { inject, describe, expect, it } from 'vitest'
import { QueueEvents } from '../src/index.js'
import { harness, until } from './support/harness.js'

describe('QueueEvents', () => {
  it('follows a job through queued, active, progress and completed', async () => {
    const h = harness()
    const events = new QueueEvents({ connection: inject('redisUrl'), prefix: h.prefix })
    try {
      const from = await events.latest()
      const { id } = await h.queue.enqueue('task', { n: 1 })
      h.worker({
        handlers: {
          task: async (job) => {
            await job.progress({ pct: 50 })
            return 'ok'
          },
        },
      })
      const seen: string[] = []
      let cursor = from
      let progress: unknown
      await until(async () => {
        for (const e of await events.read(cursor, { blockMs: 100 })) {
          cursor = e.cursor
          if (e.ids.includes(id)) seen.push(e.event)
          if (e.event === 'progress') progress = e.progress
        }
        return seen.includes('completed')
      }, 'the completed event')
      expect(seen).toEqual(['queued', 'active', 'progress', 'completed'])
      expect(progress).toEqual({ pct: 50 })
    } finally {
      await events.close()
    }
  })
})
