import { describe, expect, it } from 'vitest'
import { ConveyorError, isConveyorError } from '../src/errors.js'
import type { Retention } from '../src/defaults.js'
import { QueueScripts } from '../src/scripts.js'
import { harness, until } from './support/harness.js'

const retention: Retention = { completedMs: 60_000, completedCount: 0 }
type H = ReturnType<typeof harness>

/** The scripts of the harness's queue, called directly as a worker would. */
function protocol(h: H) {
  const scripts = new QueueScripts(h.redis, h.queue.keys, 1_000)
  const reserve = (workerId: string, leaseMs: number, count = 1) =>
    scripts.reserve({ count, leaseMs, workerId, promoteLimit: 100, maxBytes: 0 })
  /** A job enqueued through the queue, by the local id the scripts know it by. */
  const enqueue = async (n: number) => h.queue.localId((await h.queue.enqueue('task', { n })).id)
  /** Runs rescue until it has acted on `n` expired leases (they expire on their own). */
  const recoverExpired = async (maxStalls: number, n = 1) => {
    let seen = { recovered: 0, dead: 0 }
    await until(async () => {
      const r = await scripts.rescue({ maxStalls, limit: 100 })
      seen = { recovered: seen.recovered + r.rescued, dead: seen.dead + r.dead }
      return seen.recovered + seen.dead >= n
    }, 'the lease to expire and be recovered')
    return seen
  }
  return { scripts, reserve, recoverExpired, enqueue }
}

async function serverMs(h: H): Promise<number> {
  const [s, us] = await h.redis.time()
  return Number(s) * 1_000 + Math.floor(Number(us) / 1_000)
}

/** The ids of every event `name` of the events stream, in order. */
async function eventIds(h: H, name: string): Promise<string[]> {
  const entries = await h.redis.xrange(h.queue.keys.events, '-', '+')
  return entries.flatMap(([, fields]) =>
    fields[fields.indexOf('event') + 1] === name
      ? (fields[fields.indexOf('ids') + 1]?.split(',') ?? [])
      : [],
  )
}

/** Reserve as A with a short lease, let it expire, recover, reserve as B. */
async function takeover(h: H) {
  const p = protocol(h)
  const id = await p.enqueue(1)
  const leaseMs = 300
  const a = await p.reserve('A', leaseMs)
  expect(a.jobs.map((j) => j.id)).toEqual([id])
  expect(a.jobs[0]?.attempts).toBe(1)
  expect(await p.recoverExpired(3)).toEqual({ recovered: 1, dead: 0 })
  // Not recovered before the lease ran out.
  expect(await serverMs(h)).toBeGreaterThanOrEqual(a.now + leaseMs)
  expect(await h.queue.getJob(id)).toMatchObject({ state: 'queued', attempts: 1, stalls: 1 })
  const b = await p.reserve('B', 60_000)
  expect(b.jobs.map((j) => [j.id, j.attempts])).toEqual([[id, 2]])
  return { ...p, id, tokenA: 'A:1', tokenB: 'B:2' }
}

describe('lease protocol (scripts)', () => {
  it('refuses an ack with a stale token after a takeover, and stores the result once', async () => {
    const h = harness()
    const { scripts, id, tokenA, tokenB } = await takeover(h)

    expect(await scripts.ack([{ id, token: tokenA, result: '"from A"' }], retention)).toEqual([id])
    expect(await h.queue.getJob(id)).toMatchObject({ state: 'active', attempts: 2 })
    expect(await h.redis.zscore(h.queue.keys.leases, id)).not.toBeNull()
    expect(await h.redis.hget(h.queue.keys.results, id)).toBeNull()

    expect(await scripts.ack([{ id, token: tokenB, result: '"from B"' }], retention)).toEqual([])
    const job = await h.queue.getJob(id)
    expect(job).toMatchObject({ state: 'completed', attempts: 2, stalls: 1, result: 'from B' })
    expect(await h.redis.zcard(h.queue.keys.leases)).toBe(0)

    // A late ack of the first owner changes nothing either.
    expect(await scripts.ack([{ id, token: tokenA, result: '"from A"' }], retention)).toEqual([id])
    expect((await h.queue.getJob(id))?.result).toBe('from B')
    expect(await eventIds(h, 'completed')).toEqual([id])
  })

  it('refuses a fail with a stale token after a takeover', async () => {
    const h = harness()
    const { scripts, id, tokenA, tokenB } = await takeover(h)
    const error = (who: string) =>
      JSON.stringify({ message: `failed by ${who}`, attempt: 1, failedAt: Date.now() })

    expect(
      await scripts.fail([{ id, token: tokenA, error: error('A'), retryDelayMs: -1 }]),
    ).toEqual([id])
    const still = await h.queue.getJob(id)
    expect(still).toMatchObject({ state: 'active', attempts: 2 })
    expect(still?.lastError).toBeUndefined()
    expect(await h.redis.zcard(h.queue.keys.dead)).toBe(0)

    expect(await scripts.fail([{ id, token: tokenB, error: error('B'), retryDelayMs: 0 }])).toEqual(
      [],
    )
    const job = await h.queue.getJob(id)
    expect(job).toMatchObject({ state: 'retrying', attempts: 2 })
    expect(job?.lastError?.message).toBe('failed by B')
    expect(await h.redis.zcard(h.queue.keys.leases)).toBe(0)
    expect(await eventIds(h, 'dead')).toEqual([])
  })

  it('extend renews a live lease and reports one taken over as lost', async () => {
    const h = harness()
    const p = protocol(h)
    const lost = { id: await p.enqueue(1) }
    const live = { id: await p.enqueue(2) }
    const short = await p.reserve('A', 200)
    const long = await p.reserve('A', 60_000)
    expect(short.jobs.map((j) => j.id)).toEqual([lost.id])
    expect(long.jobs.map((j) => j.id)).toEqual([live.id])
    const liveBefore = Number(await h.redis.zscore(h.queue.keys.leases, live.id))
    expect(liveBefore).toBe(long.now + 60_000)

    await p.recoverExpired(3)
    const b = await p.reserve('B', 60_000)
    expect(b.jobs.map((j) => j.id)).toEqual([lost.id])
    const lostBefore = Number(await h.redis.zscore(h.queue.keys.leases, lost.id))

    const leases = [
      { id: lost.id, token: 'A:1' },
      { id: live.id, token: 'A:1' },
    ]
    expect(await p.scripts.extend(60_000, leases)).toEqual([lost.id])
    const liveAfter = Number(await h.redis.zscore(h.queue.keys.leases, live.id))
    expect(liveAfter).toBeGreaterThan(liveBefore)
    // A's extend did not touch B's lease.
    expect(Number(await h.redis.zscore(h.queue.keys.leases, lost.id))).toBe(lostBefore)
    // Nor does it recreate a lease that is gone.
    await p.scripts.ack([{ id: live.id, token: 'A:1', result: '' }], retention)
    expect(await p.scripts.extend(60_000, [{ id: live.id, token: 'A:1' }])).toEqual([live.id])
    expect(await h.redis.zscore(h.queue.keys.leases, live.id)).toBeNull()
  })

  it('dead-letters a job that stalls more than maxStalls times, with code "stalled"', async () => {
    const h = harness()
    const p = protocol(h)
    const maxStalls = 1
    const id = await p.enqueue(1)

    expect((await p.reserve('A', 100)).jobs.map((j) => j.id)).toEqual([id])
    expect(await p.recoverExpired(maxStalls)).toEqual({ recovered: 1, dead: 0 })
    expect(await h.queue.getJob(id)).toMatchObject({ state: 'queued', stalls: 1, attempts: 1 })

    expect((await p.reserve('B', 100)).jobs.map((j) => j.id)).toEqual([id])
    expect(await p.recoverExpired(maxStalls)).toEqual({ recovered: 0, dead: 1 })

    const job = await h.queue.getJob(id)
    expect(job).toMatchObject({ state: 'dead', stalls: 2, attempts: 2 })
    expect(job?.lastError).toMatchObject({ code: 'stalled', attempt: 2 })
    expect(await h.redis.zrange(h.queue.keys.dead, 0, -1)).toEqual([id])
    expect(await h.queue.counts()).toMatchObject({ queued: 0, active: 0, dead: 1 })
    expect((await p.reserve('C', 100)).jobs).toEqual([])
    expect(await p.scripts.ack([{ id, token: 'B:2', result: '' }], retention)).toEqual([id])
  })
})

describe('lease protocol (Worker)', () => {
  /**
   * A worker whose first attempt hangs until aborted and whose second completes; the
   * first attempt's lease is taken over behind its back: deadline moved into the past
   * and recover run, as a worker elsewhere would after a long pause of this one.
   */
  async function takeOverRunningJob(prefetch: number) {
    const h = harness()
    const p = protocol(h)
    const { id } = await h.queue.enqueue('task', { n: 7 })
    const aborts: unknown[] = []
    const attempts: number[] = []
    const lostEvents: string[][] = []
    const w = h.worker({
      leaseMs: 900,
      concurrency: 1,
      prefetch,
      handlers: {
        task: (job) => {
          attempts.push(job.attempt)
          if (job.attempt > 1) return { attempt: job.attempt }
          return new Promise((_, reject) =>
            job.signal.addEventListener('abort', () => {
              aborts.push(job.signal.reason)
              reject(job.signal.reason as Error)
            }),
          )
        },
      },
    })
    w.on('lease-lost', (ids) => lostEvents.push(ids))
    await until(() => attempts.length === 1, 'the first attempt to start')

    // The worker's heartbeat may renew the lease between the two steps: repeat until
    // recover has taken the job.
    await until(async () => {
      await h.redis.zadd(h.queue.keys.leases, 'XX', 1, h.queue.localId(id))
      return (await p.scripts.rescue({ maxStalls: 3, limit: 100 })).rescued === 1
    }, 'the takeover')

    try {
      await until(() => aborts.length === 1, 'the first attempt to be aborted', 5_000)
    } catch (err) {
      const st = await h.redis.hget(h.queue.keys.state, h.queue.localId(id))
      throw new Error(
        `${(err as Error).message}; worker ${w.id} started attempts ${attempts.join()}, ` +
          `lease-lost events ${JSON.stringify(lostEvents)}, stored record ${st}`,
      )
    }
    expect(aborts[0]).toBeInstanceOf(ConveyorError)
    expect(isConveyorError(aborts[0], 'lease_lost')).toBe(true)
    expect(lostEvents).toContainEqual([id])

    await until(async () => (await h.queue.getJob(id))?.state === 'completed', 'completion')
    const job = await h.queue.getJob(id)
    expect(job).toMatchObject({ attempts: 2, stalls: 1, result: { attempt: 2 } })
    expect(attempts).toEqual([1, 2])
    await w.close()
    expect(await h.queue.counts()).toMatchObject({ active: 0, queued: 0, completed: 1 })
  }

  it('aborts a handler whose lease was taken over with lease_lost and emits lease-lost', async () => {
    await takeOverRunningJob(0)
  })

  it('aborts the old attempt even when the same worker reserves the job again', async () => {
    // With a free prefetch slot, the wake-up sent by recover lets this very worker
    // reserve the job's next attempt before its heartbeat runs.
    await takeOverRunningJob(1)
  })

  it('reports lease-lost only for leases taken over, not for jobs it completed itself', async () => {
    const h = harness()
    const n = 5_000
    const reported: string[] = []
    const w = h.worker({
      leaseMs: 300,
      concurrency: 8,
      handlers: { task: (job) => job.payload.n },
    })
    w.on('lease-lost', (ids) => reported.push(...ids))
    await h.queue.enqueueBulk(
      Array.from({ length: n }, (_, i) => ({ type: 'task' as const, payload: { n: i } })),
    )
    await until(async () => (await h.queue.counts()).completed === n, 'every job to complete')
    await w.close()

    // A job whose lease was really taken over was recovered (stalls > 0) and run again.
    const records = await h.queue.getJobs([...new Set(reported)])
    const neverTakenOver = records.filter((r) => r?.stalls === 0 && r.attempts === 1)
    expect(
      neverTakenOver.map((r) => r?.id),
      `${reported.length} lease-lost report(s) for jobs whose lease was never lost`,
    ).toEqual([])
  })
})
