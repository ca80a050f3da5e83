import { Redis } from 'ioredis'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { Worker } from '../src/index.js'
import { startRedisServer, uniquePrefix, type RedisServerHandle } from '../src/testing/index.js'
import { harness, registry, until } from './support/harness.js'

const servers: RedisServerHandle[] = []

/** A private redis-server whose every write is fsynced before it is answered. */
async function durableServer(): Promise<RedisServerHandle> {
  const server = await startRedisServer({
    args: ['--appendonly', 'yes', '--appendfsync', 'always'],
  })
  servers.push(server)
  return server
}

// afterAll, not afterEach: the harness closes its workers and deletes its keys (on these
// servers) after each test, so the servers must outlive that.
afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()))
})

function taskJobs(count: number) {
  return Array.from({ length: count }, (_, i) => ({ type: 'task' as const, payload: { n: i } }))
}

function tally(handled: readonly string[], expected: readonly string[]) {
  const seen = new Map<string, number>()
  for (const id of handled) seen.set(id, (seen.get(id) ?? 0) + 1)
  return {
    twice: [...seen].filter(([, n]) => n > 1).map(([id]) => id),
    missing: expected.filter((id) => !seen.has(id)),
  }
}

/** Resolves once a client of the server has BLPOP as its last command: the worker is waiting. */
async function untilBlocked(redis: Redis): Promise<void> {
  await until(
    async () => ((await redis.call('CLIENT', 'LIST')) as string).includes('cmd=blpop'),
    'a worker blocked on the wake list',
  )
}

describe('Redis killed and restarted', () => {
  it('keeps every job, and a worker started before the restart reconnects and runs them', async () => {
    const server = await durableServer()
    const h = harness(server.url)
    await h.queue.pause()
    const ids = (await h.queue.enqueueBulk(taskJobs(200))).map((r) => r.id)

    const handled: string[] = []
    const errors: unknown[] = []
    const worker = h.worker({
      concurrency: 10,
      handlers: {
        task: (job) => {
          handled.push(job.id)
          return job.payload.n
        },
      },
    })
    worker.on('error', (err) => errors.push(err))
    await untilBlocked(h.redis)
    const firstPid = server.pid

    await server.kill('SIGKILL')
    await server.restart()
    expect(server.pid).not.toBe(firstPid)

    // Everything came back from the AOF: the jobs, and the pause.
    const after = await h.queue.counts()
    expect(after).toMatchObject({ queued: 200, active: 0, completed: 0, paused: true })
    expect(handled).toEqual([])

    // The worker made before the crash gets the work on its own, once resumed.
    await h.queue.resume()
    await until(
      async () => (await h.queue.counts()).completed === 200,
      'all 200 jobs completed by the reconnected worker',
      30_000,
    )
    const { twice, missing } = tally(handled, ids)
    expect(missing).toEqual([])
    expect(twice).toEqual([])
    expect(await h.queue.counts()).toMatchObject({ queued: 0, active: 0, completed: 200, dead: 0 })
    expect(await h.redis.zcard(h.queue.keys.leases)).toBe(0)
    const jobs = await h.queue.getJobs(ids)
    expect(jobs.every((j) => j?.state === 'completed')).toBe(true)
    console.log(`[redis-restart] idle worker: ${errors.length} error events during the outage`)
  }, 60_000)

  it('a worker running through a crash of Redis finishes every accepted job', async () => {
    const server = await durableServer()
    const h = harness(server.url)
    const total = 3_000
    const ids = (await h.queue.enqueueBulk(taskJobs(total))).map((r) => r.id)
    expect(ids).toHaveLength(total)

    const handled: string[] = []
    const errors: unknown[] = []
    let handledAtKill = -1
    let outage: Promise<void> | undefined
    const crash = async (): Promise<void> => {
      await server.kill('SIGKILL')
      handledAtKill = handled.length
      await server.restart()
    }

    const worker = h.worker({
      concurrency: 10,
      // Short, so that a job whose reserve ran but whose reply was lost with the
      // connection comes back by lease expiry within the test.
      leaseMs: 5_000,
      handlers: {
        task: (job) => {
          handled.push(job.id)
          // Pulled at full speed, so that reserves and ack batches are on the wire, and
          // handlers finish, while Redis is down.
          if (handled.length === 500) outage = crash()
          return job.payload.n
        },
      },
    })
    worker.on('error', (err) => errors.push(err))

    await until(() => outage !== undefined, 'the 500th job', 30_000)
    await outage
    // The crash came mid-run.
    expect(handledAtKill).toBeLessThan(total)

    await until(
      async () => {
        const c = await h.queue.counts()
        return c.completed === total && c.active === 0 && c.queued === 0
      },
      `all ${total} jobs completed after the restart`,
      45_000,
    )
    // Jobs were fetched through the reconnected connections after the crash.
    expect(handled.length).toBeGreaterThan(handledAtKill)
    const { twice, missing } = tally(handled, ids)
    expect(missing).toEqual([])
    const counts = await h.queue.counts()
    expect(counts).toMatchObject({ queued: 0, active: 0, completed: total, dead: 0, retrying: 0 })
    expect(await h.redis.zcard(h.queue.keys.leases)).toBe(0)
    const jobs = await h.queue.getJobs(ids)
    const notCompleted = ids.filter((_, i) => jobs[i]?.state !== 'completed')
    expect(notCompleted).toEqual([])
    console.log(
      `[redis-restart] running worker: ${handledAtKill} handled when killed, ` +
        `${twice.length} jobs run twice, ${errors.length} error events`,
    )
  }, 90_000)

  // BUG (src/worker.ts): the worker attaches no 'error' listener to its own ioredis
  // clients, so a dropped connection never reaches the worker's 'error' event and ioredis
  // prints "[ioredis] Unhandled error event: ..." to stderr instead, listener or not.
  it("reports its connections' errors during an outage on its 'error' event", async () => {
    const server = await durableServer()
    const h = harness(server.url)
    // The test's own clients are quiet: only the worker's connections can log.
    h.queue.redis.on('error', () => undefined)
    h.redis.on('error', () => undefined)
    const worker = h.worker({ concurrency: 1, handlers: { task: () => undefined } })
    const reported: unknown[] = []
    worker.on('error', (err) => reported.push(err))
    await untilBlocked(h.redis)

    const unhandled: unknown[][] = []
    const spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      unhandled.push(args)
    })
    try {
      await server.kill('SIGKILL')
      // Down long enough for reconnect attempts to be refused; it returns either way.
      await until(
        () => reported.length > 0 || unhandled.length > 0,
        'a connection error, reported or logged',
        10_000,
      )
      await server.restart()
    } finally {
      spy.mockRestore()
    }
    // The worker is usable again (checked first, so that it closes cleanly whatever follows).
    const { id } = await h.queue.enqueue('task', { n: 1 })
    await until(
      async () => (await h.queue.getJob(id))?.state === 'completed',
      'a job after restart',
    )
    expect(unhandled.map((args) => String(args[0]))).toEqual([])
    expect(reported.length).toBeGreaterThan(0)
  }, 60_000)

  // BUG (src/worker.ts shutdown): close() awaits the fetch loop, the release of buffered jobs
  // and QUIT with no bound. While Redis is down the blocking BLPOP never settles (ioredis
  // keeps it queued, and disconnect() during a reconnect does not flush it), so close()
  // never resolves: not within its timeout, and not even after Redis is back.
  it('close({ timeoutMs: timeout }) resolves while Redis is down', async () => {
    const server = await durableServer()
    const worker = new Worker({
      connection: server.url,
      registry,
      prefix: uniquePrefix('qc'),
      handlers: { task: () => undefined },
    })
    worker.on('error', () => undefined)
    const observer = new Redis(server.url)
    observer.on('error', () => undefined)
    const silence = vi.spyOn(console, 'error').mockImplementation(() => undefined)
    let closed = false
    try {
      await untilBlocked(observer)
      await server.kill('SIGKILL')
      const closing = worker.close({ timeoutMs: 1_000 }).then(() => (closed = true))
      // Ten times the timeout: a liveness bound, not a speed measurement.
      await until(() => closed, 'close({ timeoutMs: 1000 }) to resolve', 10_000).catch(
        () => undefined,
      )
      expect(closed, 'close({ timeoutMs: 1000 }) still pending 10 s after Redis went down').toBe(
        true,
      )
      await closing
    } finally {
      silence.mockRestore()
      observer.disconnect()
      if (!closed) {
        // Do not leave the stuck worker reconnecting for the rest of the run.
        worker['redis'].disconnect()
        worker['connections'].blocking.disconnect()
      }
    }
  }, 60_000)
})
