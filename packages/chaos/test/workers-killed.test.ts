/**
 * Fault 1: workers SIGKILLed while they run jobs. Three worker processes take jobs
 * posted over HTTP; every ~second one of them is killed and a new one started. Every
 * job that got a 202 must end completed (or dead by its own failures): none lost. Each
 * job's side effect reaches a fake provider (an SMS at the Twilio-shaped sink, an
 * e-mail at the SMTP sink) with a unique marker, so a job run twice shows up as a marker
 * delivered twice: allowed only for jobs in flight at a kill.
 */
import type { SmsSink, SmtpSink } from '@conveyor/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Cluster } from './support/cluster.js'
import { postJobs, type JobBody } from './support/post-jobs.js'
import { scaled, sleep, summary } from './support/scale.js'
import { WorkerKiller } from './support/worker-killer.js'

const KILL_EVERY_MS = scaled(1_000, 2_000)
const MAX_KILLS = scaled(6, 1_000)
const CONCURRENCY = 4
const PHONE = '+15550001000'
/** About 100 KB of text, lines of 100 characters; the e-mail schema takes up to 500,000. */
const BIG_TEXT = `${'0123456789'.repeat(10)}\n`.repeat(1_014)

interface Case {
  name: string
  redisCluster: boolean
  jobs: number
  perRequest: number
  /** the jobs are e-mails, sent to an SMTP sink */
  smtp?: boolean
  make: (i: number) => JobBody
  /** how many times each marker `job-<i>` reached the provider (intact) */
  deliveries: (sinks: { sms: SmsSink; smtp: SmtpSink | undefined }) => Map<string, number>
}

const sms = (onCluster: boolean): Case => ({
  name: onCluster ? 'workers-killed(redis-cluster)' : 'workers-killed',
  redisCluster: onCluster,
  jobs: scaled(2_500, 20_000),
  perRequest: 250,
  make: (i) => ({ type: 'sms', payload: { phone: PHONE, message: `job-${i}` } }),
  deliveries: ({ sms }) => sms.deliveries(),
})

/**
 * Issue 9: jobs of ~100 KB, whose specs take queue-core's big-spec path (written beside
 * the enqueue script, read apart by the worker). The body must arrive whole: a
 * truncated or mangled one counts as not delivered.
 */
const big: Case = {
  name: 'workers-killed(100KB)',
  redisCluster: false,
  smtp: true,
  jobs: scaled(500, 5_000),
  // 50 × 100 KB: 5 MB a request, within POST /jobs/batch's 10 MiB.
  perRequest: 50,
  make: (i) => ({
    type: 'email',
    payload: { to: 'chaos@example.com', subject: `job-${i}`, body: `job-${i}\n${BIG_TEXT}` },
  }),
  deliveries: ({ smtp }) => {
    const counts = new Map<string, number>()
    for (const mail of smtp?.messages ?? []) {
      const subject = mail.subject ?? ''
      if (mail.text !== `${subject}\n${BIG_TEXT}`) continue
      counts.set(subject, (counts.get(subject) ?? 0) + 1)
    }
    return counts
  },
}

// The same check on one redis-server and on a three-master Redis Cluster (the services
// then run with REDIS_CLUSTER=true): no CROSSSLOT anywhere, nothing lost; then with big jobs.
describe.each([sms(false), sms(true), big])('$name', (c) => {
  let cluster: Cluster
  let killer: WorkerKiller | undefined

  beforeAll(async () => {
    cluster = await Cluster.start({
      redisCluster: c.redisCluster,
      smtp: c.smtp ?? false,
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
    // A test that failed early leaves its killer running: stop it before it starts more.
    await killer?.stop().catch(() => undefined)
    const crossSlot = [cluster?.api, ...(cluster?.workers ?? [])].flatMap(
      (s) => s?.lines.filter((l) => /CROSSSLOT|cross.?slot/i.test(l)) ?? [],
    )
    const unclean = await cluster?.stop()
    expect(unclean?.map((s) => s.dump()) ?? []).toEqual([])
    expect(crossSlot).toEqual([])
    expect(cluster?.smtp?.errors ?? []).toEqual([])
  })

  it('loses no accepted job while workers are SIGKILLed, duplicating only jobs in flight', async () => {
    const t0 = Date.now()
    killer = new WorkerKiller(cluster, { everyMs: KILL_EVERY_MS, maxKills: MAX_KILLS })
    const { accepted, retried } = await postJobs(cluster, {
      total: c.jobs,
      perRequest: c.perRequest,
      posters: 3,
      make: c.make,
    })
    const ids = [...accepted.keys()]
    const postedMs = Date.now() - t0
    // The killer keeps going while the backlog drains (up to its kill budget in CI).
    const states = await cluster.settle(ids, scaled(90_000, 900_000))
    const kills = await killer.stop()
    // Deliveries still on the wire when the last job settled are counted too.
    await sleep(500)

    const count = (state: string | null) => [...states.values()].filter((s) => s === state).length
    const completed = count('completed')
    const dead = count('dead')
    const lost = ids.length - completed - dead
    const delivered = c.deliveries(cluster)
    const duplicated = [...delivered.values()].reduce((n, c) => n + (c - 1), 0)
    // A completed job whose message never reached the provider would be a silent loss.
    const completedUnsent = ids.filter(
      (id) => states.get(id) === 'completed' && !delivered.has(`job-${accepted.get(id)}`),
    ).length
    const bound = kills * CONCURRENCY
    summary(c.name, {
      posted: c.jobs,
      accepted: ids.length,
      completed,
      dead,
      lost,
      completedUnsent,
      retried503: retried,
      duplicated,
      bound: `${kills}kills*${CONCURRENCY}=${bound}`,
      kills,
      postedMs,
      settledMs: Date.now() - t0,
    })
    expect(ids.length, cluster.dump()).toBe(c.jobs)
    expect(lost, cluster.dump()).toBe(0)
    expect(completedUnsent).toBe(0)
    expect(kills).toBeGreaterThan(0)
    expect(duplicated).toBeLessThanOrEqual(bound)
  })
})
