import type { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { Queue } from '../src/index.js'
import { harness, registry, until, type TestTypes } from './support/harness.js'

interface StreamEntry {
  event: string
  ids: string[]
  fields: string[]
}

async function readEvents(redis: Redis, key: string): Promise<StreamEntry[]> {
  const entries = await redis.xrange(key, '-', '+')
  return entries.map(([, flat]) => {
    const fields: Record<string, string> = {}
    for (let i = 0; i < flat.length; i += 2) fields[flat[i] ?? ''] = flat[i + 1] ?? ''
    return {
      event: fields.event ?? '',
      ids: fields.ids ? fields.ids.split(',') : [],
      fields: Object.keys(fields),
    }
  })
}

/** How many times each id appears under `event`. */
function idCounts(entries: readonly StreamEntry[], event: string): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const e of entries) {
    if (e.event !== event) continue
    for (const id of e.ids) counts[id] = (counts[id] ?? 0) + 1
  }
  return counts
}

/** The sequence of events that name `id`, in stream order. */
function historyOf(entries: readonly StreamEntry[], id: string): string[] {
  return entries.filter((e) => e.ids.includes(id)).map((e) => e.event)
}

async function streamInfo(redis: Redis, key: string): Promise<Record<string, unknown>> {
  const flat = (await redis.xinfo('STREAM', key)) as unknown[]
  const info: Record<string, unknown> = {}
  for (let i = 0; i < flat.length; i += 2) info[String(flat[i])] = flat[i + 1]
  return info
}

const queues: Queue<TestTypes>[] = []
afterEach(async () => {
  await Promise.all(queues.splice(0).map((q) => q.close()))
})

/** A second Queue on the harness's prefix, with its own eventsMaxLen. */
function queueWith(h: ReturnType<typeof harness>, eventsMaxLen: number): Queue<TestTypes> {
  const q = new Queue({ connection: h.url, registry, prefix: h.prefix, eventsMaxLen })
  queues.push(q)
  return q
}

describe('events stream', () => {
  it('records queued, active, completed, retrying and dead with the right ids', async () => {
    const h = harness()
    const retryFast = { backoff: { type: 'fixed' as const, delayMs: 10 } }
    await h.queue.enqueueBulk([
      { type: 'task', payload: { n: 1 }, options: { jobId: 'ok' } },
      {
        type: 'task',
        payload: { n: 2, label: 'flaky' },
        options: { jobId: 'flaky', ...retryFast },
      },
      {
        type: 'task',
        payload: { n: 3, label: 'doomed' },
        options: { jobId: 'doomed', maxAttempts: 1 },
      },
    ])
    h.worker({
      concurrency: 3,
      handlers: {
        task: (job) => {
          if (job.payload.label === 'doomed') throw new Error('always fails')
          if (job.payload.label === 'flaky' && job.attempt === 1) throw new Error('fails once')
          return job.payload.n
        },
      },
    })
    await until(async () => {
      const c = await h.queue.counts()
      return c.completed === 2 && c.dead === 1
    }, 'two completed and one dead job')

    const entries = await readEvents(h.redis, h.queue.keys.events)
    // Every entry carries exactly the two fields, and names at least one job.
    for (const e of entries) {
      expect(e.fields).toEqual(['event', 'ids'])
      expect(e.ids.length).toBeGreaterThan(0)
    }
    expect(new Set(entries.map((e) => e.event))).toEqual(
      new Set(['queued', 'active', 'completed', 'retrying', 'dead']),
    )
    // One bulk enqueue is one script call: one entry naming all three, in order.
    expect(entries.filter((e) => e.event === 'queued')).toEqual([
      { event: 'queued', ids: ['ok', 'flaky', 'doomed'], fields: ['event', 'ids'] },
    ])
    expect(idCounts(entries, 'active')).toEqual({ ok: 1, flaky: 2, doomed: 1 })
    expect(idCounts(entries, 'completed')).toEqual({ ok: 1, flaky: 1 })
    expect(idCounts(entries, 'retrying')).toEqual({ flaky: 1 })
    expect(idCounts(entries, 'dead')).toEqual({ doomed: 1 })

    expect(historyOf(entries, 'ok')).toEqual(['queued', 'active', 'completed'])
    expect(historyOf(entries, 'flaky')).toEqual([
      'queued',
      'active',
      'retrying',
      'active',
      'completed',
    ])
    expect(historyOf(entries, 'doomed')).toEqual(['queued', 'active', 'dead'])
  })

  it('stays near eventsMaxLen (50) over 2,000 jobs', async () => {
    const h = harness()
    const queue = queueWith(h, 50)
    const key = queue.keys.events
    let handled = 0
    // One job per reserve and (mostly) per ack, so that the run writes thousands of entries.
    h.worker({
      eventsMaxLen: 50,
      concurrency: 1,
      prefetch: 0,
      handlers: {
        task: () => {
          handled += 1
        },
      },
    })
    for (let from = 0; from < 2_000; from += 100) {
      await queue.enqueueBulk(
        Array.from({ length: 100 }, (_, i) => ({
          type: 'task' as const,
          payload: { n: from + i },
        })),
      )
    }
    let longest = 0
    await until(
      async () => {
        longest = Math.max(longest, await h.redis.xlen(key))
        return handled === 2_000 && (await queue.counts()).completed === 2_000
      },
      '2,000 completed jobs',
      60_000,
    )

    const info = await streamInfo(h.redis, key)
    // Thousands of entries were written ...
    expect(Number(info['entries-added'])).toBeGreaterThan(2_000)
    // ... and MAXLEN ~ 50 kept the stream within one stream node (100 entries) of 50.
    const length = await h.redis.xlen(key)
    expect(length).toBeLessThanOrEqual(150)
    expect(longest).toBeLessThanOrEqual(150)
    // What is kept is the newest: the last entry is a completion.
    const [last] = await h.redis.xrevrange(key, '+', '-', 'COUNT', 1)
    expect(last?.[1]).toContain('completed')
  }, 90_000)

  it('writes no stream at all with eventsMaxLen 0', async () => {
    const h = harness()
    const queue = queueWith(h, 0)
    const retryFast = { backoff: { type: 'fixed' as const, delayMs: 10 } }
    h.worker({
      eventsMaxLen: 0,
      concurrency: 5,
      handlers: {
        task: async (job) => {
          await job.progress({ step: 1 })
          if (job.payload.label === 'doomed') throw new Error('always fails')
          if (job.payload.label === 'flaky' && job.attempt === 1) throw new Error('fails once')
          return job.payload.n
        },
      },
    })
    await queue.pause()
    await queue.resume()
    const results = await queue.enqueueBulk([
      { type: 'task', payload: { n: 1 } },
      { type: 'task', payload: { n: 2, label: 'flaky' }, options: retryFast },
      { type: 'task', payload: { n: 3, label: 'doomed' }, options: { maxAttempts: 1 } },
    ])
    const doomed = results[2]?.id ?? ''
    const later = await queue.enqueue('task', { n: 4 }, { delayMs: 60_000 })
    const removable = await queue.enqueue('task', { n: 5 }, { delayMs: 60_000 })
    await until(async () => {
      const c = await queue.counts()
      return c.completed === 2 && c.dead === 1
    }, 'two completed and one dead job')
    await queue.cancel(later.id)
    await queue.remove(removable.id)
    await queue.retry(doomed)
    await until(async () => (await queue.counts()).dead === 1, 'the retried job to die again')

    // Everything happened (the queue saw each kind of change) ...
    const counts = await queue.counts()
    expect(counts).toMatchObject({ completed: 2, dead: 1, cancelled: 1, scheduled: 0, queued: 0 })
    expect((await queue.getJob(doomed))?.attempts).toBe(1)
    await expect(queue.getJob(removable.id)).resolves.toBeNull()
    // ... and not one event was written.
    expect(await h.redis.exists(queue.keys.events)).toBe(0)
  })
})
