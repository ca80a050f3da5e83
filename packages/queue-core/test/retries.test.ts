import { describe, expect, it } from 'vitest'
import { backoffDelay, ConveyorError, type JobRecord } from '../src/index.js'
import { harness, until } from './support/harness.js'

const finished = (job: JobRecord | null) => job?.state === 'completed' || job?.state === 'dead'

describe('retries and dead-letter', () => {
  it('retries a failing job up to maxAttempts (default 4: first try + 3 retries), then dead-letters it with the last error', async () => {
    const h = harness()
    const { id } = await h.queue.enqueue(
      'task',
      { n: 1 },
      { backoff: { type: 'fixed', delayMs: 20 } },
    )
    const attempts: number[] = []
    h.worker({
      handlers: {
        task: (job) => {
          attempts.push(job.attempt)
          throw new Error(`boom on attempt ${job.attempt}`)
        },
      },
    })
    await until(async () => finished(await h.queue.getJob(id)), 'the job to die')
    const job = await h.queue.getJob(id)
    expect(attempts).toEqual([1, 2, 3, 4])
    expect(job?.state).toBe('dead')
    expect(job?.attempts).toBe(4)
    expect(job?.lastError?.message).toBe('boom on attempt 4')
    expect(job?.lastError?.attempt).toBe(4)
    expect(job?.lastError?.stack).toContain('retries.test.ts')
    const dead = await h.queue.list('dead')
    expect(dead.jobs.map((j) => j.id)).toEqual([id])
    expect((await h.queue.counts()).dead).toBe(1)
  })

  it('completes a job that succeeds on a retry', async () => {
    const h = harness()
    const { id } = await h.queue.enqueue(
      'task',
      { n: 7 },
      { backoff: { type: 'fixed', delayMs: 10 } },
    )
    h.worker({
      handlers: {
        task: (job) => {
          if (job.attempt < 3) throw new Error('transient')
          return 'ok'
        },
      },
    })
    await until(async () => finished(await h.queue.getJob(id)), 'completion')
    const job = await h.queue.getJob(id)
    expect(job).toMatchObject({ state: 'completed', attempts: 3, result: 'ok' })
    expect(job?.lastError?.message).toBe('transient')
  })

  it('waits at least the backoff between attempts, measured on the Redis clock', async () => {
    const h = harness()
    const backoff = { type: 'exponential' as const, delayMs: 100, jitter: 0 }
    const { id } = await h.queue.enqueue('task', { n: 1 }, { maxAttempts: 3, backoff })
    const starts: number[] = []
    h.worker({
      handlers: {
        task: async () => {
          const [s, us] = await h.redis.time()
          starts.push(Number(s) * 1000 + Math.floor(Number(us) / 1000))
          throw new Error('again')
        },
      },
    })
    await until(async () => finished(await h.queue.getJob(id)), 'the job to die')
    expect(starts).toHaveLength(3)
    // Lower bounds only: a retry may come later on a busy machine, never earlier.
    expect((starts[1] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(100)
    expect((starts[2] ?? 0) - (starts[1] ?? 0)).toBeGreaterThanOrEqual(200)
  })

  it('stores the retry time as failure time plus the computed backoff', async () => {
    const h = harness()
    const { id } = await h.queue.enqueue(
      'task',
      { n: 1 },
      { backoff: { type: 'fixed', delayMs: 60_000 } },
    )
    h.worker({
      handlers: {
        task: () => {
          throw new Error('later')
        },
      },
    })
    await until(
      async () => (await h.queue.getJob(id))?.state === 'retrying',
      'the job to wait for its retry',
    )
    const job = await h.queue.getJob(id)
    const score = Number(await h.redis.zscore(h.queue.keys.retry, h.queue.localId(id)))
    expect(job?.runAt).toBe(score)
    expect(score - (job?.lastError?.failedAt ?? 0)).toBeGreaterThan(55_000)
    expect((await h.queue.list('retrying')).jobs.map((j) => j.id)).toEqual([id])
  })

  it('computes exponential backoff with a cap and bounded jitter', () => {
    const policy = { type: 'exponential' as const, delayMs: 1000, maxDelayMs: 10_000, jitter: 0.2 }
    expect(backoffDelay(policy, 1, () => 0.5)).toBe(1000)
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(4000)
    expect(backoffDelay(policy, 10, () => 0.5)).toBe(10_000)
    expect(backoffDelay(policy, 2, () => 0)).toBe(1600)
    expect(backoffDelay(policy, 2, () => 1)).toBe(2400)
    expect(backoffDelay({ type: 'fixed', delayMs: 500 }, 9)).toBe(500)
  })

  it('skips the retries for a permanent error', async () => {
    const h = harness()
    const { id } = await h.queue.enqueue('task', { n: 1 })
    let calls = 0
    h.worker({
      handlers: {
        task: () => {
          calls += 1
          throw ConveyorError.permanent('the address does not exist')
        },
      },
    })
    await until(async () => finished(await h.queue.getJob(id)), 'the job to die')
    const job = await h.queue.getJob(id)
    expect(calls).toBe(1)
    expect(job).toMatchObject({ state: 'dead', attempts: 1 })
    expect(job?.lastError).toMatchObject({
      code: 'permanent_failure',
      message: 'the address does not exist',
    })
  })

  it('aborts a handler that overruns its timeout and counts it as a failed attempt', async () => {
    const h = harness()
    const { id } = await h.queue.enqueue(
      'task',
      { n: 1 },
      { timeoutMs: 50, maxAttempts: 2, backoff: { type: 'fixed', delayMs: 0 } },
    )
    const reasons: unknown[] = []
    h.worker({
      handlers: {
        // Never settles on its own: only the timeout's abort ends it.
        task: (job) =>
          new Promise((_, reject) => {
            job.signal.addEventListener('abort', () => {
              reasons.push(job.signal.reason)
              reject(new Error('aborted'))
            })
          }),
      },
    })
    await until(async () => finished(await h.queue.getJob(id)), 'the job to die')
    const job = await h.queue.getJob(id)
    expect(job).toMatchObject({ state: 'dead', attempts: 2 })
    expect(job?.lastError).toMatchObject({ code: 'job_timeout' })
    expect(reasons).toHaveLength(2)
    expect((reasons[0] as ConveyorError).code).toBe('job_timeout')
  })

  it('dead-letters a job whose type has no handler on this worker after its retries', async () => {
    const h = harness()
    const { id } = await h.queue.enqueue(
      'email',
      { to: 'a@example.com', subject: 's', body: 'b' },
      { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 0 } },
    )
    h.worker({ handlers: { task: () => 'x' } })
    await until(async () => finished(await h.queue.getJob(id)), 'the job to die')
    expect((await h.queue.getJob(id))?.lastError).toMatchObject({ code: 'no_handler' })
  })
})
