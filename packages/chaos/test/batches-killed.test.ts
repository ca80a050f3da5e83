/**
 * Issue 12: batch callbacks fire exactly once while workers are SIGKILLed. 200 batches
 * of 50 SMS jobs, each with an onSuccess and an onComplete callback (SMS jobs too), are
 * made over HTTP (POST /batches with half the jobs, POST /batches/:id/jobs with the
 * rest, POST /batches/:id/close) while a worker is killed every second and replaced.
 * Every batch must end done with 50 completed, and each callback:
 *  - enqueued exactly once: one `queued` event for its job id, written by the script
 *    that creates a job, and one `completed` event, written by the ack that stores it;
 *  - delivered at least once at the fake provider, by its unique message.
 * A callback job is an ordinary job once enqueued: at least once, like any other. One
 * delivered twice is allowed only when the queue shows it was run again (a `stalled`
 * event: its worker died holding it, or `retrying`), and all duplicates, the batch
 * jobs' and the callbacks', stay within the kills × concurrency bound of workers-killed.
 */
import { isDeepStrictEqual } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Cluster, FINAL, PREFIX } from './support/cluster.js'
import { EventTally } from './support/event-tally.js'
import { postKeyed } from './support/post-jobs.js'
import { scaled, sleep, summary } from './support/scale.js'
import { WorkerKiller } from './support/worker-killer.js'

const BATCHES = scaled(200, 1_000)
const PER_BATCH = 50
const CREATORS = 4
const KILL_EVERY_MS = 1_000
const MAX_KILLS = scaled(10, 2_000)
const WORKERS = 3
const CONCURRENCY = 16
const JOB_PHONE = '+15550002000'
const CALLBACK_PHONE = '+15550002001'
const KINDS = ['onSuccess', 'onComplete'] as const

interface Made {
  index: number
  id: string
  jobs: string[]
}

interface BatchAnswer {
  state: string
  counts: Record<string, number>
  failed: string[]
  callbacks: { onSuccess?: string; onComplete?: string }
}

const sms = (phone: string, message: string) => ({ type: 'sms', payload: { phone, message } })
const callbackId = (batchId: string, kind: string) => `default:${batchId}-${kind}`

/** Makes every batch over HTTP, `CREATORS` at a time; returns them and the 503s retried. */
async function createBatches(cluster: Cluster): Promise<{ made: Made[]; retried: number }> {
  const made: Made[] = []
  let retried = 0
  let next = 0
  const send = async (path: string, body: unknown, key: string, status: number) => {
    const sent = await postKeyed(cluster, { path, body, key })
    retried += sent.retried
    expect(sent.answer.status, `${path}: ${JSON.stringify(sent.answer.json)}`).toBe(status)
    return sent.answer.json
  }
  const creator = async () => {
    while (next < BATCHES) {
      const b = next
      next += 1
      const jobs = Array.from({ length: PER_BATCH }, (_, k) => sms(JOB_PHONE, `b${b}-j${k}`))
      const half = PER_BATCH / 2
      const body = {
        name: `b${b}`,
        onSuccess: sms(CALLBACK_PHONE, `b${b}-onSuccess`),
        onComplete: sms(CALLBACK_PHONE, `b${b}-onComplete`),
        jobs: jobs.slice(0, half),
      }
      const created = await send('/batches', body, `create-${b}`, 201)
      const id = String(created.batchId)
      const added = await send(`/batches/${id}/jobs`, { jobs: jobs.slice(half) }, `add-${b}`, 202)
      await send(`/batches/${id}/close`, {}, `close-${b}`, 200)
      made.push({
        index: b,
        id,
        jobs: [...(created.jobs as string[]), ...(added.jobs as string[])],
      })
    }
  }
  await Promise.all(Array.from({ length: CREATORS }, creator))
  return { made, retried }
}

/** A batch is through when it is done with both callbacks listed and both callbacks finished. */
async function waitForAll(cluster: Cluster, made: readonly Made[], deadline: number) {
  const states = new Map<string, string | null>()
  const views = new Map<string, BatchAnswer>()
  const final = (id: string) => FINAL.has(states.get(id) ?? '')
  for (;;) {
    const open = made.flatMap((m) => m.jobs.filter((id) => !final(id)))
    for (const [id, state] of await cluster.states(open)) states.set(id, state)
    // A batch is read once its jobs are all final; until then it cannot be done.
    const unread = made.filter(
      (m) => m.jobs.every(final) && !KINDS.every((k) => views.get(m.id)?.callbacks[k]),
    )
    for (const m of unread) {
      const { status, json } = await cluster.get(`/batches/${m.id}`)
      expect(status).toBe(200)
      views.set(m.id, json as unknown as BatchAnswer)
    }
    const listed = made
      .filter((m) => views.get(m.id)?.state === 'done')
      .flatMap((m) => KINDS.map((k) => callbackId(m.id, k)))
      .filter((id) => !final(id))
    for (const [id, state] of await cluster.states(listed)) states.set(id, state)
    const through = made.filter(
      (m) => views.get(m.id)?.state === 'done' && KINDS.every((k) => final(callbackId(m.id, k))),
    ).length
    if (through === made.length || Date.now() > deadline) return { states, views, through }
    await sleep(1_000)
  }
}

let cluster: Cluster
let killer: WorkerKiller | undefined

beforeAll(async () => {
  cluster = await Cluster.start({
    api: true,
    workers: WORKERS,
    env: {
      WORKER_CONCURRENCY: String(CONCURRENCY),
      // Short, so a killed worker's jobs are back in the queue within ~3 s.
      WORKER_LEASE_MS: '3000',
      // No completed job trimmed, so a callback's id stays taken (docs/reliability.md, 10).
      RETAIN_COMPLETED_COUNT: '0',
      RATE_LIMIT_MAX: '1000000',
    },
  })
  // A few ms per send keeps jobs in flight long enough for a kill to catch some.
  cluster.sms.delayMs = 2
})

afterAll(async () => {
  // A test that failed early leaves its killer running: stop it before it starts more.
  await killer?.stop().catch(() => undefined)
  const unclean = await cluster?.stop()
  expect(unclean?.map((s) => s.dump()) ?? []).toEqual([])
})

it(
  'fires each batch callback exactly once while workers are SIGKILLed',
  async () => {
    const t0 = Date.now()
    const tally = new EventTally({ connection: cluster.client, prefix: PREFIX, queue: 'default' })
    killer = new WorkerKiller(cluster, {
      everyMs: KILL_EVERY_MS,
      maxKills: MAX_KILLS,
      startedOnly: true,
    })
    const { made, retried } = await createBatches(cluster)
    const createdMs = Date.now() - t0
    // Kills go on (up to MAX_KILLS) until every batch is through: a batch step cut short
    // by a kill is made up for by the batch sweeper, up to 30 s later.
    const { states, views, through } = await waitForAll(
      cluster,
      made,
      t0 + scaled(170_000, 1_500_000),
    )
    const kills = await killer.stop()
    // Deliveries still on the wire when the last callback settled are counted too.
    await sleep(500)
    await tally.stop()

    const jobIds = made.flatMap((m) => m.jobs)
    const lost = jobIds.filter((id) => states.get(id) !== 'completed').length
    const delivered = cluster.sms.deliveries()
    const unsent = made.flatMap((m) =>
      m.jobs.map((_, k) => `b${m.index}-j${k}`).filter((body) => !delivered.has(body)),
    ).length
    const counts = { total: PER_BATCH, completed: PER_BATCH, dead: 0, cancelled: 0, pending: 0 }
    const wrongBatches = made.filter((m) => {
      const v = views.get(m.id)
      const listed = {
        onSuccess: callbackId(m.id, 'onSuccess'),
        onComplete: callbackId(m.id, 'onComplete'),
      }
      return (
        v?.state !== 'done' ||
        !isDeepStrictEqual(v.counts, counts) ||
        v.failed.length > 0 ||
        !isDeepStrictEqual(v.callbacks, listed)
      )
    })
    const callbacks = made.flatMap((m) =>
      KINDS.map((k) => ({ id: callbackId(m.id, k), body: `b${m.index}-${k}` })),
    )
    const enqueuedNotOnce = callbacks.filter((c) => tally.count('queued', c.id) !== 1)
    const completedNotOnce = callbacks.filter((c) => tally.count('completed', c.id) !== 1)
    const notCompleted = callbacks.filter((c) => states.get(c.id) !== 'completed')
    const undelivered = callbacks.filter((c) => !delivered.has(c.body))
    const repeated = callbacks.filter((c) => (delivered.get(c.body) ?? 0) > 1)
    const rerun = (c: { id: string }) =>
      tally.count('stalled', c.id) + tally.count('retrying', c.id)
    // Sent twice with no sign in the queue that the job ran twice: a second job, not a rerun.
    const unexplained = repeated.filter((c) => rerun(c) === 0)
    const duplicated = [...delivered.values()].reduce((n, c) => n + (c - 1), 0)
    const bound = kills * CONCURRENCY
    summary('batches-killed', {
      batches: made.length,
      jobs: jobIds.length,
      lost,
      unsent,
      through,
      wrongBatches: wrongBatches.length,
      callbacks: callbacks.length,
      cbEnqueuedNotOnce: enqueuedNotOnce.length,
      cbCompletedNotOnce: completedNotOnce.length,
      cbNotCompleted: notCompleted.length,
      cbUndelivered: undelivered.length,
      cbRerun: callbacks.filter((c) => rerun(c) > 0).length,
      cbDeliveredTwice: repeated.length,
      cbTwiceUnexplained: unexplained.length,
      duplicated,
      bound: `${kills}kills*${CONCURRENCY}=${bound}`,
      retried503: retried,
      createdMs,
      elapsedMs: Date.now() - t0,
    })
    const first = (list: readonly { id: string }[]) => list.slice(0, 5).map((c) => c.id)
    expect(made.length).toBe(BATCHES)
    expect(lost, cluster.dump()).toBe(0)
    expect(unsent).toBe(0)
    expect(wrongBatches.map((m) => [m.id, views.get(m.id)])).toEqual([])
    expect(first(enqueuedNotOnce)).toEqual([])
    expect(first(completedNotOnce)).toEqual([])
    expect(first(notCompleted)).toEqual([])
    expect(first(undelivered)).toEqual([])
    expect(first(unexplained)).toEqual([])
    expect(kills).toBeGreaterThan(0)
    expect(duplicated).toBeLessThanOrEqual(bound)
  },
  // past the wait above: a slow run still prints its figures
  scaled(240_000, 1_800_000),
)
