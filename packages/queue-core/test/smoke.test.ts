import { describe, expect, it } from 'vitest'
import { harness, until } from './support/harness.js'

describe('smoke', () => {
  it('runs a job end to end', async () => {
    const h = harness()
    const { id } = await h.queue.enqueue('task', { n: 2 })
    const w = h.worker({ handlers: { task: (job) => ({ doubled: job.payload.n * 2 }) } })
    await until(async () => (await h.queue.getJob(id))?.state === 'completed', 'completion')
    const job = await h.queue.getJob(id)
    expect(job?.result).toEqual({ doubled: 4 })
    expect(job?.attempts).toBe(1)
    await w.close()
  })
})
