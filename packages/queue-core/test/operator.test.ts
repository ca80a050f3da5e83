import { describe, expect, it } from 'vitest'
import { ConveyorError } from '../src/index.js'
import { harness, until } from './support/harness.js'

async function code(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ConveyorError)
  return (err as ConveyorError).code
}

describe('operator actions', () => {
  it('counts jobs per state', async () => {
    const h = harness()
    await h.queue.enqueue('task', { n: 1 })
    await h.queue.enqueue('task', { n: 2 }, { delayMs: 60_000 })
    expect(await h.queue.counts()).toEqual({
      queued: 1,
      scheduled: 1,
      active: 0,
      retrying: 0,
      completed: 0,
      dead: 0,
      cancelled: 0,
      waiting: 0,
      paused: false,
    })
  })

  it('retries one dead job, then all of them, with a fresh count of attempts', async () => {
    const h = harness()
    const ids: string[] = []
    for (let n = 0; n < 3; n += 1)
      ids.push((await h.queue.enqueue('task', { n }, { maxAttempts: 1 })).id)
    let fail = true
    const w = h.worker({
      concurrency: 3,
      handlers: {
        task: () => {
          if (fail) throw new Error('down')
          return 'up'
        },
      },
    })
    await until(async () => (await h.queue.counts()).dead === 3, 'three dead jobs')
    expect((await h.queue.list('dead', { limit: 2 })).jobs).toHaveLength(2)
    fail = false
    await h.queue.retry(ids[0] ?? '')
    await until(
      async () => (await h.queue.getJob(ids[0] ?? ''))?.state === 'completed',
      'the retried job',
    )
    expect((await h.queue.getJob(ids[0] ?? ''))?.attempts).toBe(1)
    expect(await code(h.queue.retry(ids[0] ?? ''))).toBe('invalid_state')
    expect(await code(h.queue.retry('nope'))).toBe('job_not_found')
    expect(await h.queue.retryAll()).toBe(2)
    await until(async () => (await h.queue.counts()).completed === 3, 'every job completed')
    await w.close()
  })

  it('cancels a queued, a scheduled and a retrying job, but not a finished one', async () => {
    const h = harness()
    const queued = await h.queue.enqueue('task', { n: 1 })
    const scheduled = await h.queue.enqueue('task', { n: 2 }, { delayMs: 60_000 })
    await h.queue.cancel(queued.id)
    await h.queue.cancel(scheduled.id)
    expect((await h.queue.getJob(queued.id))?.state).toBe('cancelled')
    expect((await h.queue.getJob(scheduled.id))?.state).toBe('cancelled')
    const counts = await h.queue.counts()
    expect([counts.queued, counts.scheduled, counts.cancelled]).toEqual([0, 0, 2])
    expect(await code(h.queue.cancel(queued.id))).toBe('invalid_state')
    expect(await code(h.queue.cancel('nope'))).toBe('job_not_found')

    const retrying = await h.queue.enqueue(
      'task',
      { n: 3 },
      { backoff: { type: 'fixed', delayMs: 60_000 } },
    )
    const w = h.worker({
      handlers: {
        task: () => {
          throw new Error('later')
        },
      },
    })
    await until(
      async () => (await h.queue.getJob(retrying.id))?.state === 'retrying',
      'the retry wait',
    )
    await h.queue.cancel(retrying.id)
    expect((await h.queue.getJob(retrying.id))?.state).toBe('cancelled')
    expect(await h.redis.zcard(h.queue.keys.retry)).toBe(0)
    // Stopped, so that no worker takes the job back before its state is read.
    await w.close()
    // A cancelled job can be brought back.
    await h.queue.retry(queued.id)
    expect((await h.queue.getJob(queued.id))?.state).toBe('queued')
  })

  it('removes a job with every trace, but not a running one', async () => {
    const h = harness()
    const { id } = await h.queue.enqueue('task', { n: 1 }, { idempotencyKey: 'x' })
    await h.queue.remove(id)
    expect(await h.queue.getJob(id)).toBeNull()
    expect((await h.queue.counts()).queued).toBe(0)
    expect(await h.redis.hlen(h.queue.keys.idem)).toBe(0)
    expect(await code(h.queue.remove(id))).toBe('job_not_found')

    let release: () => void = () => undefined
    const running = await h.queue.enqueue('task', { n: 2 })
    h.worker({ handlers: { task: () => new Promise<void>((resolve) => (release = resolve)) } })
    await until(
      async () => (await h.queue.getJob(running.id))?.state === 'active',
      'the job to start',
    )
    expect(await code(h.queue.remove(running.id))).toBe('invalid_state')
    release()
    await until(async () => (await h.queue.getJob(running.id))?.state === 'completed', 'completion')
    await h.queue.remove(running.id)
    expect(await h.queue.getJob(running.id)).toBeNull()
    expect(await h.redis.zcard(h.queue.keys.completed)).toBe(0)
  })

  it('pauses and resumes a queue; running jobs are not interrupted', async () => {
    const h = harness()
    await h.queue.pause()
    expect(await h.queue.isPaused()).toBe(true)
    expect((await h.queue.counts()).paused).toBe(true)
    const ran: number[] = []
    h.worker({ blockMs: 60_000, handlers: { task: (job) => void ran.push(job.payload.n) } })
    await h.queue.enqueue('task', { n: 1 })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(ran).toEqual([])
    expect((await h.queue.counts()).queued).toBe(1)
    await h.queue.resume()
    // The resume wakes the sleeping worker: blockMs alone would keep it asleep for a minute.
    await until(() => ran.length === 1, 'the job after resume', 5_000)
  })

  it('lists completed jobs newest first and reads results by id', async () => {
    const h = harness()
    const ids: string[] = []
    for (let n = 0; n < 5; n += 1) ids.push((await h.queue.enqueue('task', { n })).id)
    h.worker({ concurrency: 1, prefetch: 0, handlers: { task: (job) => ({ n: job.payload.n }) } })
    await until(async () => (await h.queue.counts()).completed === 5, 'five completions')
    const page = await h.queue.list('completed', { limit: 10 })
    expect(page.total).toBe(5)
    expect(page.jobs[0]?.finishedAt).toBeGreaterThanOrEqual(page.jobs[4]?.finishedAt ?? 0)
    const job = await h.queue.getJob(ids[2] ?? '')
    expect(job?.result).toEqual({ n: 2 })
    expect(job?.startedAt).toBeGreaterThan(0)
    expect(job?.finishedAt).toBeGreaterThanOrEqual(job?.startedAt ?? 0)
  })

  it('expires completed jobs after the retention time, even on an idle queue', async () => {
    const h = harness()
    const { id } = await h.queue.enqueue('task', { n: 1 })
    let finishedAt = 0
    const w = h.worker({
      leaseMs: 300,
      retention: { completedMs: 200 },
      handlers: { task: () => 'done' },
    })
    w.on('completed', () => void (finishedAt = Date.now()))
    await until(async () => (await h.queue.getJob(id))?.state === 'completed', 'completion')
    // No more acks come: the worker's heartbeat is what trims the idle queue.
    await until(async () => (await h.queue.getJob(id)) === null, 'the completed job to expire')
    expect(Date.now() - finishedAt).toBeGreaterThanOrEqual(200)
    expect(await h.redis.hlen(h.queue.keys.results)).toBe(0)
  })
})
