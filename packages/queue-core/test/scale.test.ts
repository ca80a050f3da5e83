import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { Worker } from '../src/index.js'
import { harness, until, type TestTypes } from './support/harness.js'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const fixture = fileURLToPath(new URL('fixtures/counting-worker.ts', import.meta.url))

function taskJobs(count: number, from = 0) {
  return Array.from({ length: count }, (_, i) => ({
    type: 'task' as const,
    payload: { n: from + i },
  }))
}

/** Ids handled more than once, and ids expected but never handled. */
function tally(handled: readonly string[], expected: readonly string[]) {
  const seen = new Map<string, number>()
  for (const id of handled) seen.set(id, (seen.get(id) ?? 0) + 1)
  const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id)
  const missing = expected.filter((id) => !seen.has(id))
  const known = new Set(expected)
  const unexpected = [...seen.keys()].filter((id) => !known.has(id))
  return { distinct: seen.size, twice, missing, unexpected }
}

describe('scale: in-process workers', () => {
  it('4 workers x concurrency 10 complete 5,000 jobs exactly once each', async () => {
    const h = harness()
    const handled: string[] = []
    const byWorker = new Map<string, number>()
    const workers: Worker<TestTypes>[] = []
    const errors: unknown[] = []
    for (let w = 0; w < 4; w++) {
      const name = `w${w}`
      const worker = h.worker({
        concurrency: 10,
        handlers: {
          task: async (job) => {
            handled.push(job.id)
            byWorker.set(name, (byWorker.get(name) ?? 0) + 1)
            // Yield once, so that the ten slots of a worker really overlap.
            await Promise.resolve()
            return job.payload.n
          },
        },
      })
      worker.on('error', (err) => errors.push(err))
      workers.push(worker)
    }

    // Enqueued while the workers already run, in five bulk calls at once.
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, s) => h.queue.enqueueBulk(taskJobs(1_000, s * 1_000))),
    )
    const ids = results.flat().map((r) => r.id)
    expect(new Set(ids).size).toBe(5_000)
    expect(results.flat().every((r) => r.created)).toBe(true)

    await until(
      async () => (await h.queue.counts()).completed === 5_000,
      '5,000 completed jobs',
      60_000,
    )
    await Promise.all(workers.map((w) => w.close()))

    const { distinct, twice, missing, unexpected } = tally(handled, ids)
    expect(errors).toEqual([])
    expect(twice).toEqual([])
    expect(missing).toEqual([])
    expect(unexpected).toEqual([])
    expect(distinct).toBe(5_000)
    expect(handled).toHaveLength(5_000)
    // Every worker took part: the jobs were shared, not drained by one of them.
    expect([...byWorker.keys()].sort()).toEqual(['w0', 'w1', 'w2', 'w3'])

    const counts = await h.queue.counts()
    expect(counts).toMatchObject({ completed: 5_000, active: 0, queued: 0, retrying: 0, dead: 0 })
    expect(await h.redis.zcard(h.queue.keys.leases)).toBe(0)
    const sample = await h.queue.getJobs(ids.slice(0, 50))
    expect(sample.map((j) => j?.state)).toEqual(Array(50).fill('completed'))
    expect(sample.map((j) => j?.attempts)).toEqual(Array(50).fill(1))
  }, 90_000)
})

describe('scale: worker processes', () => {
  const children: ChildProcess[] = []

  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => stop(child)))
  })

  function startWorker(env: Record<string, string>): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      cwd: packageDir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    let output = ''
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString()
        if (/^ready$/m.test(output)) resolve(child)
      }
      child.stdout?.on('data', onData)
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
      child.once('exit', (code, signal) =>
        reject(new Error(`worker process exited (${code ?? signal}) before ready:\n${output}`)),
      )
    })
  }

  async function stop(child: ChildProcess): Promise<number | null> {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    )
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    try {
      return await exited
    } finally {
      clearTimeout(timer)
    }
  }

  it('2 worker processes handle each of 3,000 jobs exactly once', async () => {
    const h = harness()
    const handledKey = `${h.prefix}:handled`
    const env = { REDIS_URL: h.url, PREFIX: h.prefix, HANDLED_KEY: handledKey, CONCURRENCY: '10' }
    const [a, b] = await Promise.all([startWorker(env), startWorker(env)])

    const ids = (await h.queue.enqueueBulk(taskJobs(3_000))).map((r) => r.id)
    expect(new Set(ids).size).toBe(3_000)

    await until(
      async () => (await h.queue.counts()).completed === 3_000,
      '3,000 completed jobs',
      60_000,
    )
    // A graceful stop of both: nothing may be handled after this point either.
    expect(await stop(a)).toBe(0)
    expect(await stop(b)).toBe(0)

    const handled = await h.redis.lrange(handledKey, 0, -1)
    const { distinct, twice, missing, unexpected } = tally(handled, ids)
    expect(twice).toEqual([])
    expect(missing).toEqual([])
    expect(unexpected).toEqual([])
    expect(distinct).toBe(3_000)
    expect(handled).toHaveLength(3_000)

    const byProcess = await h.redis.hgetall(`${handledKey}:by`)
    expect(Object.keys(byProcess).sort()).toEqual([String(a.pid), String(b.pid)].sort())
    expect(Object.values(byProcess).reduce((n, v) => n + Number(v), 0)).toBe(3_000)

    const counts = await h.queue.counts()
    expect(counts).toMatchObject({ completed: 3_000, active: 0, queued: 0, retrying: 0, dead: 0 })
    expect(await h.redis.zcard(h.queue.keys.leases)).toBe(0)
  }, 90_000)
})
