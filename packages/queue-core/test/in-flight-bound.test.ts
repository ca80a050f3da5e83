import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { harness, until } from './support/harness.js'

const fixture = fileURLToPath(new URL('fixtures/counting-worker.ts', import.meta.url))
const CONCURRENCY = 3

describe('jobs a crash can repeat', () => {
  it('are at most `concurrency` per SIGKILLed worker: a finished job keeps its slot until its outcome is on the wire', async () => {
    const h = harness()
    const handledKey = `${h.prefix}:handled`
    const total = 3_000
    await h.queue.enqueueBulk(
      Array.from({ length: total }, (_, n) => ({ type: 'task' as const, payload: { n } })),
    )
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      env: {
        ...process.env,
        REDIS_URL: h.url,
        PREFIX: h.prefix,
        HANDLED_KEY: handledKey,
        CONCURRENCY: String(CONCURRENCY),
        LEASE_MS: '1000',
      },
      stdio: 'ignore',
    })
    const exited = new Promise((resolve) => child.once('exit', resolve))
    try {
      // Quick jobs: at any moment some have run and wait for their ack in a batch.
      await until(
        async () => (await h.redis.llen(handledKey)) >= 300,
        'the child to be well under way',
      )
      child.kill('SIGKILL')
      await exited
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
    h.worker({
      leaseMs: 1_000,
      concurrency: 10,
      handlers: { task: async (job) => void (await h.redis.rpush(handledKey, job.id)) },
    })
    await until(async () => (await h.queue.counts()).completed === total, 'every job', 20_000)
    const handled = await h.redis.lrange(handledKey, 0, -1)
    const duplicated = handled.length - new Set(handled).size
    console.log(`[in-flight-bound] concurrency=${CONCURRENCY} duplicated=${duplicated}`)
    expect(new Set(handled).size).toBe(total)
    expect(duplicated).toBeLessThanOrEqual(CONCURRENCY)
  })

  it('with holdSlotUntilStored, a slot takes its next job only once the last outcome is stored', async () => {
    const h = harness()
    const total = 200
    await h.queue.enqueueBulk(
      Array.from({ length: total }, (_, n) => ({ type: 'task' as const, payload: { n } })),
    )
    // What each job finds of the job the same (only) slot ran before it.
    const before: string[] = []
    let previous: string | undefined
    h.worker({
      concurrency: 1,
      holdSlotUntilStored: true,
      handlers: {
        task: async (job) => {
          if (previous) before.push((await h.queue.getJob(previous))?.state ?? 'missing')
          previous = job.id
        },
      },
    })
    await until(async () => (await h.queue.counts()).completed === total, 'every job')
    expect(before).toHaveLength(total - 1)
    expect(new Set(before)).toEqual(new Set(['completed']))
  })
})
