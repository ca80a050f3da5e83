/**
 * Fault 4: every worker SIGTERMed at once under load, with jobs running. Each must
 * finish its running jobs, give back the prefetched ones and exit 0 within
 * SHUTDOWN_GRACE_MS; afterwards nothing is left active or leased, and new workers
 * finish the rest with no job run twice (a graceful stop is not a crash).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Cluster, PREFIX } from './support/cluster.js'
import { scaled, sleep, summary } from './support/scale.js'
import { queueKeys } from '@conveyor/queue-core'

const JOBS = scaled(600, 5_000)
const GRACE_MS = 3_000
// Scheduling slack for a busy 2-core machine: the bound is the grace, not a speed target.
const SLACK_MS = 2_000
const PHONE = '+15550001300'
const ROUNDS = scaled(1, 5)

let cluster: Cluster

beforeAll(async () => {
  cluster = await Cluster.start({
    api: true,
    workers: 3,
    env: { SHUTDOWN_GRACE_MS: String(GRACE_MS), RATE_LIMIT_MAX: '1000000' },
  })
  // Each send takes a while, so a SIGTERM always finds jobs running.
  cluster.sms.delayMs = 200
})

afterAll(async () => {
  const unclean = await cluster?.stop()
  expect(unclean?.map((s) => s.dump()) ?? []).toEqual([])
})

interface Counts {
  name: string
  queued: number
  active: number
  completed: number
}

async function defaultCounts(): Promise<Counts> {
  const { json } = await cluster.get('/queues')
  const queue = (json.queues as Counts[]).find((q) => q.name === 'default')
  if (!queue) throw new Error('no default queue in GET /queues')
  return queue
}

it('stops every worker cleanly within the grace period and loses or repeats nothing', async () => {
  const ids: string[] = []
  for (let i = 0; i < JOBS; i += 500) {
    const jobs = []
    for (let j = i; j < Math.min(JOBS, i + 500); j += 1)
      jobs.push({ type: 'sms', payload: { phone: PHONE, message: `graceful-${j}` } })
    const { status, json } = await cluster.post('/jobs/batch', { jobs })
    expect(status).toBe(202)
    ids.push(...(json.jobs as { id: string }[]).map((j) => j.id))
  }

  const rounds: string[] = []
  for (let round = 0; round < ROUNDS; round += 1) {
    await Promise.all(cluster.running(cluster.workers).map((w) => cluster.started(w)))
    let before: Counts = await defaultCounts()
    const deadline = Date.now() + 15_000
    while (before.active === 0 && Date.now() < deadline) {
      await sleep(100)
      before = await defaultCounts()
    }
    expect(before.active).toBeGreaterThan(0)
    const workers = cluster.running(cluster.workers)
    const sentAt = Date.now()
    const exits = await Promise.all(
      workers.map(async (w) => ({ code: await w.stop('SIGTERM'), ms: Date.now() - sentAt })),
    )
    const after = await defaultCounts()
    const leased = await cluster.client.zcard(queueKeys(PREFIX, 'default').leases)
    const slowest = Math.max(...exits.map((e) => e.ms))
    rounds.push(`activeBefore=${before.active}->after=${after.active},leased=${leased}`)
    summary('graceful-stop(round)', {
      round: round + 1,
      workers: workers.length,
      exitCodes: exits.map((e) => e.code).join(','),
      slowestExitMs: slowest,
      graceMs: GRACE_MS,
      activeBefore: before.active,
      activeAfter: after.active,
      leasedAfter: leased,
      queuedAfter: after.queued,
      completedAfter: after.completed,
    })
    expect(
      exits.map((e) => e.code),
      workers.map((w) => w.dump()).join('\n'),
    ).toEqual(workers.map(() => 0))
    expect(slowest).toBeLessThanOrEqual(GRACE_MS + SLACK_MS)
    expect(after.active).toBe(0)
    expect(leased).toBe(0)
    for (let i = 0; i < 3; i += 1) cluster.startWorker()
  }

  const states = await cluster.settle(ids, scaled(60_000, 600_000))
  await sleep(500)
  const completed = [...states.values()].filter((s) => s === 'completed').length
  const delivered = cluster.sms.deliveries()
  const duplicated = [...delivered.values()].reduce((n, c) => n + (c - 1), 0)
  summary('graceful-stop', {
    jobs: ids.length,
    rounds: ROUNDS,
    completed,
    lost: ids.length - completed,
    duplicated,
  })
  expect(completed, cluster.dump()).toBe(ids.length)
  expect(duplicated).toBe(0)
})
