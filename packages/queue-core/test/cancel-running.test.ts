import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { queueKeys } from '../src/index.js'
import { QueueScripts } from '../src/scripts.js'
import { flowHarness, useFlowRedis, type FlowHarness } from './support/flow-harness.js'
import { until } from './support/harness.js'

useFlowRedis()

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const children: ChildProcess[] = []

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null) continue
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
})

/** A worker of `queue` in another process, whose handlers run until cancelled. */
function workerProcess(h: FlowHarness, queue: string): void {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/cancel-worker.ts'], {
    cwd: packageDir,
    env: { ...process.env, REDIS_URL: h.url, PREFIX: h.prefix, QUEUE: queue },
    stdio: 'ignore',
  })
  children.push(child)
}

async function aborted(redis: Redis, prefix: string): Promise<{ id: string; code: string }[]> {
  const lines = await redis.lrange(`${prefix}:aborted`, 0, -1)
  return lines.map((l) => JSON.parse(l) as { id: string; code: string })
}

describe('cancelling a running job', () => {
  it('aborts its handler on the worker process that holds it, and the job ends cancelled, not retried', async () => {
    const h = flowHarness()
    const redis = new Redis(h.url)
    const { id } = await h.conveyor.enqueue('step', { label: 'long' }, { maxAttempts: 5 })
    workerProcess(h, 'alpha')
    await until(
      async () => (await redis.lrange(`${h.prefix}:started`, 0, -1)).includes(id),
      'the job to start',
      20_000,
    )
    const asked = Date.now()
    expect(await h.conveyor.cancel(id)).toBe('cancelling')
    // The worker's heartbeat (every 20 s with its one-minute lease) would find the cancel
    // too, but late: within this bound, only the cancel channel can have told it.
    await until(
      async () => (await h.conveyor.getJob(id))?.state === 'cancelled',
      'the job cancelled',
      5_000,
    )
    const tookMs = Date.now() - asked
    expect(await aborted(redis, h.prefix)).toEqual([{ id, code: 'job_cancelled' }])
    const job = await h.conveyor.getJob(id)
    expect(job?.attempts).toBe(1)
    expect(job?.lastError?.code).toBe('job_cancelled')
    expect(await h.conveyor.queue('alpha').counts()).toMatchObject({
      queued: 0,
      retrying: 0,
      active: 0,
      cancelled: 1,
    })
    console.log(
      `[cancel-running] handler stopped and job stored cancelled ${tookMs} ms after the cancel`,
    )
    await redis.quit()
  })

  it('cancelling a flow stops its running jobs on other processes and cancels the rest', async () => {
    const h = flowHarness()
    const redis = new Redis(h.url)
    const created = await h.conveyor.flows.create({
      jobs: [
        { id: 'A', type: 'step', payload: { label: 'a' } },
        { id: 'B', type: 'other', payload: { label: 'b' } },
        { id: 'C', type: 'step', payload: { label: 'c' }, dependsOn: ['A', 'B'] },
      ],
    })
    workerProcess(h, 'alpha')
    workerProcess(h, 'beta')
    await until(
      async () => (await redis.llen(`${h.prefix}:started`)) === 2,
      'A and B to start',
      20_000,
    )
    await h.conveyor.flows.cancel(created.flowId)
    await until(
      async () => (await h.conveyor.flows.get(created.flowId))?.counts.finished === 3,
      'every job of the flow finished',
      5_000,
    )
    const view = await h.conveyor.flows.get(created.flowId)
    expect(view?.state).toBe('cancelled')
    expect(view?.jobs.map((j) => j.state)).toEqual(['cancelled', 'cancelled', 'cancelled'])
    expect((await aborted(redis, h.prefix)).map((a) => a.code)).toEqual([
      'job_cancelled',
      'job_cancelled',
    ])
    await redis.quit()
  })

  it('lets a cancel request go once its job ended another way: completed, dead, or cancelled while retrying', async () => {
    const h = flowHarness()
    const redis = new Redis(h.url)
    const keys = queueKeys(h.prefix, 'alpha')
    // A worker that never hears the cancel channel: the queue's scripts alone.
    const scripts = new QueueScripts(redis, keys, 100)
    const ids = []
    for (const label of ['completes', 'dies', 'retries']) {
      ids.push((await h.conveyor.enqueue('step', { label })).id)
    }
    const { jobs } = await scripts.reserve({
      count: 3,
      leaseMs: 30_000,
      workerId: 'w',
      promoteLimit: 10,
      maxBytes: 0,
    })
    expect(jobs).toHaveLength(3)
    for (const id of ids) expect(await h.conveyor.cancel(id)).toBe('cancelling')
    expect(await redis.hlen(keys.cancels)).toBe(3)
    const [completes, dies, retries] = jobs
    const lease = (j: typeof completes) => ({ id: j?.id ?? '', token: j?.token ?? '' })
    await scripts.ack([{ ...lease(completes), result: '' }], {
      completedMs: 60_000,
      completedCount: 0,
    })
    await scripts.fail([
      { ...lease(dies), error: '{"message":"x"}', retryDelayMs: -1 },
      { ...lease(retries), error: '{"message":"x"}', retryDelayMs: 60_000 },
    ])
    // The retrying job keeps its request, so that its next attempt is stopped.
    expect(await redis.hkeys(keys.cancels)).toEqual([retries?.id])
    expect(await h.conveyor.cancel(ids[2] ?? '')).toBe('cancelled')
    expect(await redis.hlen(keys.cancels)).toBe(0)
    await redis.quit()
  })
})
