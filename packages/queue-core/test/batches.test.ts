import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { ConveyorError, type JobContext } from '../src/index.js'
import { BatchStore } from '../src/workflows/batch-store.js'
import { BatchSweeper } from '../src/workflows/batch-sweeper.js'
import { flowHarness, flowRegistry, useFlowRedis } from './support/flow-harness.js'
import { until } from './support/harness.js'

useFlowRedis()

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const children = new Set<ChildProcess>()
/** Children that printed "ready": their workers run. */
const ready = new Set<ChildProcess>()
afterEach(() => {
  for (const child of children) child.kill('SIGKILL')
  children.clear()
})

async function rejection(p: Promise<unknown>): Promise<ConveyorError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ConveyorError)
  return err as ConveyorError
}

const step = (label: string) => ({ type: 'step' as const, payload: { label } })

describe('batches', () => {
  it('adds with an idempotency key once: the same ids, each job counted and enqueued once', async () => {
    const h = flowHarness()
    const { batchId } = await h.conveyor.batches.create({})
    const other = { type: 'other' as const, payload: { label: 'o' } }
    const body = { jobs: [step('1'), other, step('2')] }
    const first = await h.conveyor.batches.add(batchId, body, { idempotencyKey: 'k' })
    // As after a try that failed part way: one queue's job is gone, the count is not.
    await h.conveyor.queue('beta').remove(first[1] ?? '')
    const again = await h.conveyor.batches.add(batchId, body, { idempotencyKey: 'k' })
    expect(again).toEqual(first)
    expect(new Set(first).size).toBe(3)
    expect((await h.conveyor.batches.get(batchId))?.counts.total).toBe(3)
    expect((await h.conveyor.queue('alpha').counts()).queued).toBe(2)
    expect((await h.conveyor.queue('beta').counts()).queued).toBe(1)
    const unkeyed = await h.conveyor.batches.add(batchId, body)
    expect(unkeyed.filter((id) => first.includes(id))).toEqual([])
    expect((await h.conveyor.batches.get(batchId))?.counts.total).toBe(6)
  })

  it('fires onSuccess and onComplete once every job completed, with the counts; jobs can be added until closed', async () => {
    const h = flowHarness()
    const reports: { label: string; report: unknown }[] = []
    const callback = async (job: JobContext<{ label: string }>) => {
      reports.push({ label: job.payload.label, report: await job.batch() })
    }
    h.worker('alpha', { step: (job) => job.payload.label })
    h.worker('beta', { other: callback })
    const { batchId, jobs } = await h.conveyor.batches.create({
      name: 'nightly',
      onSuccess: { type: 'other', payload: { label: 'success' } },
      onComplete: { type: 'other', payload: { label: 'complete' } },
      jobs: [step('1'), step('2')],
    })
    expect(jobs).toHaveLength(2)
    expect((await h.conveyor.getJob(jobs[0] ?? ''))?.batch).toBe(batchId)
    await h.conveyor.batches.add(batchId, { jobs: [step('3')] })
    await until(
      async () => (await h.conveyor.batches.get(batchId))?.counts.completed === 3,
      'three jobs',
    )
    expect(reports).toEqual([])
    await h.conveyor.batches.close(batchId)
    await until(() => reports.length === 2, 'both callbacks')
    const counts = { total: 3, completed: 3, dead: 0, cancelled: 0 }
    expect(reports.map((r) => r.label).sort()).toEqual(['complete', 'success'])
    expect(reports[0]?.report).toEqual({ id: batchId, counts, failed: [] })
    const view = await h.conveyor.batches.get(batchId)
    expect(view).toMatchObject({
      name: 'nightly',
      state: 'done',
      counts: { ...counts, pending: 0 },
    })
    expect(view?.callbacks.onSuccess).toBe(`beta:${batchId}-onSuccess`)
    expect((await rejection(h.conveyor.batches.add(batchId, { jobs: [step('4')] }))).code).toBe(
      'invalid_state',
    )
    expect((await rejection(h.conveyor.batches.close('nope'))).code).toBe('batch_not_found')
  })

  it('fires only onComplete when a job ends dead, naming it among the failed', async () => {
    const h = flowHarness()
    const reports: unknown[] = []
    h.worker('alpha', {
      step: (job) => {
        if (job.payload.label === 'bad') throw new Error('no')
      },
    })
    h.worker('beta', {
      other: async (job) => reports.push({ label: job.payload.label, ...(await job.batch()) }),
    })
    const { batchId, jobs } = await h.conveyor.batches.create({
      onSuccess: { type: 'other', payload: { label: 'success' } },
      onComplete: { type: 'other', payload: { label: 'complete' } },
      jobs: [step('ok'), { ...step('bad'), options: { maxAttempts: 1 } }],
    })
    await h.conveyor.batches.close(batchId)
    await until(async () => (await h.conveyor.batches.get(batchId))?.state === 'done', 'the batch')
    await until(() => reports.length === 1, 'the callback')
    expect(reports).toEqual([
      {
        label: 'complete',
        id: batchId,
        counts: { total: 2, completed: 1, dead: 1, cancelled: 0 },
        failed: [jobs[1]],
      },
    ])
    expect((await h.conveyor.batches.get(batchId))?.callbacks).toEqual({
      onComplete: `beta:${batchId}-onComplete`,
    })
  })

  it('fires each callback exactly once while workers are SIGKILLed every second', async () => {
    const h = flowHarness()
    const redis = new Redis(h.url)
    const spawnWorker = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/batch-worker.ts'], {
        cwd: packageDir,
        env: { ...process.env, REDIS_URL: h.url, PREFIX: h.prefix },
        stdio: ['ignore', 'pipe', 'ignore'],
      })
      children.add(child)
      child.stdout?.once('data', () => ready.add(child))
      child.once('exit', () => {
        children.delete(child)
        ready.delete(child)
      })
    }
    for (let i = 0; i < 3; i += 1) spawnWorker()
    const BATCHES = 40
    const JOBS = 50
    const ids: string[] = []
    for (let b = 0; b < BATCHES; b += 1) {
      const { batchId } = await h.conveyor.batches.create({
        onSuccess: { type: 'other', payload: { label: 'success' } },
        onComplete: { type: 'other', payload: { label: 'complete' } },
        jobs: Array.from({ length: JOBS }, (_, i) => step(`${b}.${i}`)),
      })
      await h.conveyor.batches.close(batchId)
      ids.push(batchId)
    }
    let kills = 0
    // Every second the oldest worker that is up dies, and a new one starts.
    const killer = setInterval(() => {
      const victim = [...ready][0]
      if (!victim) return
      ready.delete(victim)
      victim.kill('SIGKILL')
      kills += 1
      spawnWorker()
    }, 1_000)
    // The repairs a worker's sweeper makes every 30 s per batch, done here at once.
    const sweeper = new BatchSweeper(new BatchStore(redis, h.prefix, flowRegistry, 1000))
    const calls = async () => redis.lrange(`${h.prefix}:callbacks`, 0, -1)
    try {
      await until(
        async () => {
          await sweeper.run(Date.now() + 3_600_000)
          const distinct = new Set((await calls()).map((c) => c.split('|').slice(0, 2).join('|')))
          return distinct.size === BATCHES * 2
        },
        'every callback',
        120_000,
      )
    } finally {
      clearInterval(killer)
      for (const child of children) child.kill('SIGKILL')
    }
    const byCallback = new Map<string, Set<string>>()
    for (const line of await calls()) {
      const [batch, label, jobId, completed] = line.split('|')
      expect(Number(completed)).toBe(JOBS)
      const key = `${batch}|${label}`
      byCallback.set(key, (byCallback.get(key) ?? new Set()).add(jobId ?? ''))
    }
    // One callback job per batch and kind: fired exactly once. (A handler SIGKILLed
    // mid-run runs again, as every job does: the provider dedupes by the job id.)
    expect([...byCallback.values()].every((jobIds) => jobIds.size === 1)).toBe(true)
    expect(byCallback.size).toBe(BATCHES * 2)
    for (const id of ids) expect((await h.conveyor.batches.get(id))?.counts.completed).toBe(JOBS)
    const runs = (await calls()).length
    console.log(
      `[batches] ${BATCHES} batches of ${JOBS}, ${kills} workers SIGKILLed, ${runs} callback runs for ${BATCHES * 2} callbacks`,
    )
    await redis.quit()
  }, 180_000)
})
