import { performance } from 'node:perf_hooks'
import { afterEach, describe, expect, it } from 'vitest'
import { isConveyorError } from '../src/errors.js'
import { Worker } from '../src/worker.js'
import { harness, registry, until, type TestTypes } from './support/harness.js'

type H = ReturnType<typeof harness>

/** A promise the test opens when it wants: what the handlers wait for instead of sleeping. */
function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { opened, open }
}

/** Nothing of the queue is held by a worker any more. */
async function expectNoLeases(h: H): Promise<void> {
  expect(await h.redis.zcard(h.queue.keys.leases)).toBe(0)
  expect((await h.queue.counts()).active).toBe(0)
}

const ownWorkers: Worker<TestTypes>[] = []
afterEach(async () => {
  for (const w of ownWorkers.splice(0)) await w.close({ timeoutMs: 1_000 })
})

describe('Worker.close({ timeoutMs: timeout })', () => {
  it('lets running handlers finish within the timeout and stores their results', async () => {
    const h = harness()
    const release = gate()
    const started: string[] = []
    const w = h.worker({
      concurrency: 2,
      prefetch: 0,
      handlers: {
        task: async (job) => {
          started.push(job.id)
          await release.opened
          return { n: job.payload.n }
        },
      },
    })
    const jobs = await h.queue.enqueueBulk([
      { type: 'task', payload: { n: 1 } },
      { type: 'task', payload: { n: 2 } },
    ])
    await until(() => started.length === 2, 'both handlers to start')

    let closed = false
    const closing = w.close({ timeoutMs: 10_000 }).then(() => (closed = true))
    // close() waits for the handlers: they are still running and still leased.
    await until(async () => (await h.queue.counts()).active === 2, 'the leases to stay held')
    expect(closed).toBe(false)
    release.open()
    await closing

    for (const [i, { id }] of jobs.entries()) {
      expect(await h.queue.getJob(id)).toMatchObject({
        state: 'completed',
        attempts: 1,
        result: { n: i + 1 },
      })
    }
    await expectNoLeases(h)
  })

  it('gives prefetched jobs back at once, in order, with their attempt not counted', async () => {
    const h = harness()
    const release = gate()
    const started: string[] = []
    const w = h.worker({
      concurrency: 1,
      prefetch: 2,
      handlers: {
        task: async (job) => {
          started.push(job.id)
          await release.opened
          return 'done'
        },
      },
    })
    const [first, second, third] = await h.queue.enqueueBulk([
      { type: 'task', payload: { n: 1 } },
      { type: 'task', payload: { n: 2 } },
      { type: 'task', payload: { n: 3 } },
    ])
    if (!first || !second || !third) throw new Error('enqueueBulk returned too few ids')
    await until(() => started.length === 1, 'the first handler to start')
    await until(async () => (await h.queue.counts()).active === 3, 'the prefetch to fill')
    expect(await h.queue.getJob(second.id)).toMatchObject({ state: 'active', attempts: 1 })

    const closing = w.close({ timeoutMs: 10_000 })
    // Released before the running handler is done, not after it.
    await until(async () => (await h.queue.counts()).queued === 2, 'the prefetched jobs back')
    expect((await h.queue.getJob(first.id))?.state).toBe('active')
    release.open()
    await closing

    expect(started).toEqual([first.id])
    expect(await h.queue.getJob(first.id)).toMatchObject({ state: 'completed', attempts: 1 })
    for (const { id } of [second, third]) {
      expect(await h.queue.getJob(id)).toMatchObject({ state: 'queued', attempts: 0, stalls: 0 })
    }
    const ready = await h.queue.list('queued')
    expect(ready.jobs.map((j) => j.id)).toEqual([second.id, third.id])
    await expectNoLeases(h)
  })

  it('aborts a handler that outlives the timeout with shutting_down and requeues its job', async () => {
    const h = harness()
    const timeout = 300
    let reason: unknown
    let abortedAt = 0
    const failed: string[] = []
    const w = h.worker({
      concurrency: 1,
      handlers: {
        task: (job) =>
          new Promise((_, reject) =>
            job.signal.addEventListener('abort', () => {
              abortedAt = performance.now()
              reason = job.signal.reason
              reject(job.signal.reason as Error)
            }),
          ),
      },
    })
    w.on('failed', (info) => failed.push(info.id))
    const { id } = await h.queue.enqueue('task', { n: 1 })
    await until(async () => (await h.queue.getJob(id))?.state === 'active', 'the job to start')
    await until(() => w.activeCount === 1, 'the handler to run')

    const closeCalledAt = performance.now()
    await w.close({ timeoutMs: timeout })

    expect(isConveyorError(reason, 'shutting_down')).toBe(true)
    // The handler had its whole grace period (timers may round down by a ms).
    expect(abortedAt - closeCalledAt).toBeGreaterThanOrEqual(timeout - 2)
    expect(failed).toEqual([])
    const job = await h.queue.getJob(id)
    expect(job).toMatchObject({ state: 'queued', attempts: 0, stalls: 0 })
    expect(job?.lastError).toBeUndefined()
    await expectNoLeases(h)

    // Given back whole: the next worker runs it as its first attempt.
    const attempts: number[] = []
    h.worker({ handlers: { task: (j) => void attempts.push(j.attempt) } })
    await until(async () => (await h.queue.getJob(id))?.state === 'completed', 'the rerun')
    expect(attempts).toEqual([1])
  })

  it('holds nothing afterwards, closes its connections, and may be closed twice', async () => {
    const h = harness()
    const name = `${h.prefix}-worker`
    const clients = async () =>
      String(await h.redis.call('CLIENT', 'LIST'))
        .split('\n')
        .filter((line) => line.includes(` name=${name} `)).length
    const release = gate()
    const errors: unknown[] = []
    const started: string[] = []
    const url = new URL(h.url)
    const w = new Worker({
      connection: { host: url.hostname, port: Number(url.port), connectionName: name },
      registry,
      prefix: h.prefix,
      concurrency: 2,
      prefetch: 2,
      handlers: {
        task: async (job) => {
          started.push(job.id)
          if (job.payload.label === 'hang') return new Promise(() => undefined)
          await release.opened
          return 'done'
        },
      },
    })
    ownWorkers.push(w)
    w.on('error', (err) => errors.push(err))
    // Its command connection, its blocking one and its cancel listener's.
    await until(async () => (await clients()) === 3, 'the worker to connect')

    const [finishing, hanging] = await h.queue.enqueueBulk([
      { type: 'task', payload: { n: 1 } },
      { type: 'task', payload: { n: 2, label: 'hang' } },
      { type: 'task', payload: { n: 3 } },
      { type: 'task', payload: { n: 4 } },
    ])
    if (!finishing || !hanging) throw new Error('enqueueBulk returned too few ids')
    await until(() => started.length === 2, 'two handlers to start')
    await until(async () => (await h.queue.counts()).active === 4, 'the prefetch to fill')

    const first = w.close({ timeoutMs: 500 })
    const second = w.close({ timeoutMs: 500 })
    release.open()
    await Promise.all([first, second])
    await expect(w.close()).resolves.toBeUndefined()

    expect(await h.queue.getJob(finishing.id)).toMatchObject({ state: 'completed' })
    expect(await h.queue.getJob(hanging.id)).toMatchObject({ state: 'queued', attempts: 0 })
    expect(await h.queue.counts()).toMatchObject({ queued: 3, active: 0, completed: 1 })
    await expectNoLeases(h)
    await until(async () => (await clients()) === 0, 'the worker connections to close', 5_000)
    expect(errors).toEqual([])
  })
})
