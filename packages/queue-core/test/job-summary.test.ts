import { describe, expect, it } from 'vitest'
import { INLINE_SPEC_BYTES } from '../src/scripts.js'
import { SUMMARY_PAYLOAD_BYTES } from '../src/schemas/job-record.js'
import { harness, until } from './support/harness.js'

describe('listings return bounded summaries', () => {
  it('carry a small payload whole, a middling one as a cut preview, a big one by its size alone', async () => {
    const h = harness()
    const small = await h.queue.enqueue('task', { n: 1, label: 'x' })
    const middling = await h.queue.enqueue('task', { n: 2, label: 'm'.repeat(4_000) })
    const big = await h.queue.enqueue('task', { n: 3, label: 'b'.repeat(1_000_000) })
    const page = await h.queue.list('queued')
    const byId = new Map(page.jobs.map((j) => [j.id, j]))
    expect(byId.get(small.id)).toMatchObject({ type: 'task', payload: { n: 1, label: 'x' } })
    const m = byId.get(middling.id)
    expect(m?.payload).toBeUndefined()
    expect(m?.payloadPreview).toHaveLength(SUMMARY_PAYLOAD_BYTES)
    expect(m?.payloadBytes).toBe(JSON.stringify({ n: 2, label: 'm'.repeat(4_000) }).length)
    const b = byId.get(big.id)
    expect(b).toMatchObject({ type: 'task', state: 'queued', attempts: 0 })
    expect(b?.payload).toBeUndefined()
    expect(b?.payloadPreview).toBeUndefined()
    expect(b?.payloadBytes).toBe(JSON.stringify({ n: 3, label: 'b'.repeat(1_000_000) }).length)
    // The whole job, payload and all, is still one GET away.
    expect((await h.queue.getJob(big.id))?.payload).toEqual({ n: 3, label: 'b'.repeat(1_000_000) })
    expect(JSON.stringify(page).length).toBeLessThan(INLINE_SPEC_BYTES)
  })

  it("show a dead job's error cut short, and the job's state and attempts", async () => {
    const h = harness()
    const { id } = await h.queue.enqueue('task', { n: 1 }, { maxAttempts: 1 })
    h.worker({
      handlers: {
        task: () => {
          throw Object.assign(new Error('e'.repeat(5_000)), { code: 'E_BIG' })
        },
      },
    })
    await until(async () => (await h.queue.getJob(id))?.state === 'dead', 'the job to die')
    const [dead] = (await h.queue.list('dead')).jobs
    expect(dead).toMatchObject({ id, state: 'dead', attempts: 1, lastError: { code: 'E_BIG' } })
    expect(dead?.lastError?.message.length).toBeLessThanOrEqual(300)
  })
})
