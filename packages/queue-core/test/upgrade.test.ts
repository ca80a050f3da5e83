import { Redis } from 'ioredis'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { Conveyor } from '../src/conveyor.js'
import { legacyIdIndexKey, queueKeys } from '../src/keys.js'
import { deletePrefix, uniquePrefix } from '../src/testing/index.js'
import { Worker } from '../src/worker.js'
import { V1Store } from './fixtures/v1/v1-store.js'
import { registry, until } from './support/harness.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

/**
 * A Redis as release 0.1 left it: one job in every state, each written by 0.1's own
 * scripts (test/fixtures/v1), on queue "default" under a fresh prefix.
 */
async function fillWithV1Jobs(url: string) {
  const prefix = uniquePrefix('up')
  const redis = new Redis(url)
  const v1 = new V1Store(redis, prefix, 'default')
  const one = async (id: string, extra: Partial<Parameters<V1Store['enqueue']>[0][0]> = {}) =>
    v1.enqueue([{ id, type: 'task', payload: { n: Number(id.replace(/\D/g, '')) || 0 }, ...extra }])
  // Each job is taken alone through its life, so that reserve picks the one meant.
  await one('c1')
  const [c1] = await v1.reserve(1, 'oldworker', 30_000)
  if (!c1) throw new Error('v1 reserve returned nothing')
  await v1.progress(c1, { step: 'half' })
  await v1.ack(c1, { done: 'by v1' })
  await one('d1', { maxAttempts: 1 })
  const [d1] = await v1.reserve(1, 'oldworker', 30_000)
  if (!d1) throw new Error('v1 reserve returned nothing')
  await v1.fail(d1, 'provider said no', -1, 1)
  await one('r1')
  const [r1] = await v1.reserve(1, 'oldworker', 30_000)
  if (!r1) throw new Error('v1 reserve returned nothing')
  await v1.fail(r1, 'try later', 150, 1)
  await one('a1')
  // Leased by a 0.1 worker that then died (or was stopped for the upgrade): never acked.
  await v1.reserve(1, 'oldworker', 300)
  await one('x1', { delayMs: 3_600_000 })
  await v1.cancel('x1')
  await one('q1')
  await one('q2', { priority: 1 })
  await one('s1', { delayMs: 3_600_000 })
  await one('s2', { delayMs: 200 })
  await one('i1', { idempotencyKey: 'idem-1' })
  const conveyor = new Conveyor({ connection: url, registry, prefix })
  cleanups.push(async () => {
    await conveyor.close()
    await deletePrefix(url, prefix)
    await redis.quit()
  })
  return { prefix, redis, conveyor, keys: queueKeys(prefix, 'default') }
}

type Filled = Awaited<ReturnType<typeof fillWithV1Jobs>>

function startWorker(url: string, prefix: string, ran: string[]) {
  const worker = new Worker({
    connection: url,
    registry,
    prefix,
    leaseMs: 1_000,
    concurrency: 4,
    handlers: {
      task: (job) => {
        ran.push(job.id)
        return { n: job.payload.n, by: 'v2' }
      },
    },
  })
  cleanups.push(() => worker.close({ timeoutMs: 2_000 }))
  return worker
}

/** What the new code must show of each 0.1 job before anything ran it. */
async function expectReadable(f: Filled) {
  const q = f.conveyor.queue('default')
  const state = async (id: string) => (await q.getJob(id))?.state
  expect(await state('q1')).toBe('queued')
  expect((await q.getJob('q2'))?.priority).toBe(1)
  expect(await state('s1')).toBe('scheduled')
  expect(await state('a1')).toBe('active')
  expect(await state('r1')).toBe('retrying')
  expect(await state('x1')).toBe('cancelled')
  const c1 = await q.getJob('c1')
  expect(c1).toMatchObject({
    id: 'default:c1',
    type: 'task',
    payload: { n: 1 },
    state: 'completed',
    attempts: 1,
    result: { done: 'by v1' },
    progress: { step: 'half' },
  })
  const d1 = await q.getJob('d1')
  expect(d1).toMatchObject({ state: 'dead', attempts: 1, maxAttempts: 1 })
  expect(d1?.lastError?.message).toBe('provider said no')
  expect(await q.counts()).toMatchObject({
    queued: 3,
    scheduled: 2,
    active: 1,
    retrying: 1,
    completed: 1,
    dead: 1,
    cancelled: 1,
  })
}

/** The new worker runs what was waiting, rescues the dead 0.1 worker's job, and retries from dead. */
async function expectRunnable(f: Filled, ran: string[]) {
  const q = f.conveyor.queue('default')
  const finished = ['q1', 'q2', 's2', 'r1', 'a1', 'i1']
  await until(
    async () => (await q.getJobs(finished)).every((j) => j?.state === 'completed'),
    'every waiting 0.1 job to complete on the new worker',
    15_000,
  )
  const a1 = await q.getJob('a1')
  expect(a1).toMatchObject({ attempts: 2, stalls: 1, result: { n: 1, by: 'v2' } })
  expect((await q.getJob('r1'))?.attempts).toBe(2)
  // Retryable from dead, and from cancelled, through the one producer by the old id.
  await f.conveyor.retry('d1')
  await f.conveyor.retry('x1')
  await until(
    async () => (await q.getJobs(['d1', 'x1'])).every((j) => j?.state === 'completed'),
    'the retried 0.1 jobs to complete',
  )
  expect(ran.filter((id) => id === 'default:a1')).toHaveLength(1)
  expect(new Set(ran).size).toBe(ran.length)
  // An idempotency key given to 0.1 still finds its job.
  const again = await f.conveyor.enqueue('task', { n: 1 }, { idempotencyKey: 'idem-1' })
  expect(again).toEqual({ id: 'default:i1', created: false })
  expect((await q.getJob('s1'))?.state).toBe('scheduled')
  expect((await q.getJob('c1'))?.result).toEqual({ done: 'by v1' })
}

describe('upgrade from release 0.1 (storage v1)', () => {
  it('reads and runs every 0.1 job with no migration, converting each on first touch; migrate() then indexes them all', async () => {
    const url = inject('redisUrl')
    const f = await fillWithV1Jobs(url)
    await expectReadable(f)
    const ran: string[] = []
    startWorker(url, f.prefix, ran)
    // Old ids have no queue part: found through the index once migrate() has run.
    await until(
      async () => (await f.conveyor.queue('default').getJob('q1'))?.state === 'completed',
      'q1',
    )
    const [report] = await f.conveyor.migrate()
    expect(report?.left).toBe(0)
    await expectRunnable(f, ran)
    expect(await f.redis.exists(f.keys.legacy)).toBe(0)
    expect(await f.redis.hget(f.keys.meta, 'format')).toBe('2')
    expect(await f.redis.hget(legacyIdIndexKey(f.prefix), 'q1')).toBe('default')
    expect((await f.conveyor.getJob('c1'))?.state).toBe('completed')
  })

  it('migrate() converts everything up front beside a running worker, and a second run changes nothing', async () => {
    const url = inject('redisUrl')
    const f = await fillWithV1Jobs(url)
    const ran: string[] = []
    startWorker(url, f.prefix, ran)
    const [first] = await f.conveyor.migrate()
    expect(first).toMatchObject({ queue: 'default', left: 0 })
    expect((first?.converted ?? 0) + (first?.indexed ?? 0)).toBeGreaterThan(0)
    // Every old id resolves in one lookup, whichever path converted its job.
    for (const id of ['q1', 'q2', 's1', 's2', 'a1', 'r1', 'd1', 'c1', 'x1', 'i1']) {
      expect(await f.redis.hget(legacyIdIndexKey(f.prefix), id), id).toBe('default')
      expect((await f.conveyor.getJob(id))?.id, id).toBe(`default:${id}`)
    }
    await expectRunnable(f, ran)
    const [second] = await f.conveyor.migrate()
    expect(second).toEqual({ queue: 'default', converted: 0, indexed: 0, left: 0 })
  })
})
