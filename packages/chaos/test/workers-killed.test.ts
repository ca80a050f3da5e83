/**
 * Fault 1: workers SIGKILLed while they run jobs. Three worker processes take SMS jobs
 * posted over HTTP; every ~second one of them is killed and a new one started. Every
 * job that got a 202 must end completed (or dead by its own failures): none lost. An
 * SMS is a side effect the fake provider counts, and each job's message is unique, so a
 * job run twice shows up as a body delivered twice: allowed only for jobs in flight at
 * a kill.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Cluster } from './support/cluster.js'
import { scaled, sleep, summary } from './support/scale.js'

const JOBS = scaled(2_500, 20_000)
const BATCH = 250
const POSTERS = 3
const KILL_EVERY_MS = scaled(1_000, 2_000)
const MAX_KILLS = scaled(6, 1_000)
const CONCURRENCY = 4
const PHONE = '+15550001000'

/** Posts every job in batches, a few batches at a time; returns id → message index. */
async function ingest(cluster: Cluster): Promise<Map<string, number>> {
  const accepted = new Map<string, number>()
  let next = 0
  const poster = async () => {
    while (next < JOBS) {
      const start = next
      next = Math.min(JOBS, next + BATCH)
      const jobs = []
      for (let i = start; i < next; i += 1)
        jobs.push({ type: 'sms', payload: { phone: PHONE, message: `job-${i}` } })
      const { status, json } = await cluster.post('/jobs/batch', { jobs })
      expect(status).toBe(202)
      const ids = (json.jobs as { id: string }[]).map((j) => j.id)
      ids.forEach((id, k) => accepted.set(id, start + k))
    }
  }
  await Promise.all(Array.from({ length: POSTERS }, poster))
  return accepted
}

// The same check on one redis-server and on a three-master Redis Cluster (the services
// then run with REDIS_CLUSTER=true): no CROSSSLOT anywhere, nothing lost.
describe.each([false, true])('Redis Cluster: %s', (onCluster) => {
  let cluster: Cluster

  beforeAll(async () => {
    cluster = await Cluster.start({
      redisCluster: onCluster,
      api: true,
      workers: 3,
      env: {
        WORKER_CONCURRENCY: String(CONCURRENCY),
        // Short, so a killed worker's jobs are back in the queue within ~2 s.
        WORKER_LEASE_MS: '2000',
        // Every completed job stays readable for the final count, however many the run makes.
        RETAIN_COMPLETED_COUNT: '0',
        RATE_LIMIT_MAX: '1000000',
      },
    })
    // A few ms per send keeps jobs in flight long enough for a kill to catch some.
    cluster.sms.delayMs = 5
  })

  afterAll(async () => {
    const crossSlot = [cluster?.api, ...(cluster?.workers ?? [])].flatMap(
      (s) => s?.lines.filter((l) => /CROSSSLOT|cross.?slot/i.test(l)) ?? [],
    )
    const unclean = await cluster?.stop()
    expect(unclean?.map((s) => s.dump()) ?? []).toEqual([])
    expect(crossSlot).toEqual([])
  })

  it('loses no accepted job while workers are SIGKILLed, duplicating only jobs in flight', async () => {
    let kills = 0
    let killing = true
    const killer = (async () => {
      while (killing && kills < MAX_KILLS) {
        await sleep(KILL_EVERY_MS)
        if (!killing) break
        const alive = cluster.running(cluster.workers)
        const victim = alive[Math.floor(Math.random() * alive.length)]
        if (!victim) continue
        expect(await victim.stop('SIGKILL')).toBeNull()
        kills += 1
        cluster.startWorker()
      }
    })()

    const accepted = await ingest(cluster)
    const ids = [...accepted.keys()]
    // The killer keeps going while the backlog drains (up to its kill budget in CI).
    const states = await cluster.settle(ids, scaled(90_000, 900_000))
    killing = false
    await killer
    // Deliveries still on the wire when the last job settled are counted too.
    await sleep(500)

    const count = (state: string | null) => [...states.values()].filter((s) => s === state).length
    const completed = count('completed')
    const dead = count('dead')
    const lost = ids.length - completed - dead
    const delivered = cluster.sms.deliveries()
    const duplicated = [...delivered.values()].reduce((n, c) => n + (c - 1), 0)
    // A completed job whose SMS never reached the provider would be a silent loss.
    const completedUnsent = ids.filter(
      (id) => states.get(id) === 'completed' && !delivered.has(`job-${accepted.get(id)}`),
    ).length
    const bound = kills * CONCURRENCY
    summary(onCluster ? 'workers-killed(redis-cluster)' : 'workers-killed', {
      posted: JOBS,
      accepted: ids.length,
      completed,
      dead,
      lost,
      completedUnsent,
      duplicated,
      bound: `${kills}kills*${CONCURRENCY}=${bound}`,
      kills,
    })
    expect(ids.length, cluster.dump()).toBe(JOBS)
    expect(lost, cluster.dump()).toBe(0)
    expect(completedUnsent).toBe(0)
    expect(kills).toBeGreaterThan(0)
    expect(duplicated).toBeLessThanOrEqual(bound)
  })
})
