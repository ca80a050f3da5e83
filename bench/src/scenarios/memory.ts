import { usedMemory } from '../redis-info.js'
import { SYSTEMS } from '../systems/index.js'
import { sleep } from '../stats.js'
import {
  countdown,
  eachRun,
  fill,
  jobsAtSize,
  sizeLabel,
  timeoutFor,
  waitSettled,
  type ScenarioContext,
} from './context.js'

// The worker that completes the jobs of the second part; the same for every system.
const CONCURRENCY = 50

/**
 * Redis memory per job: (1) N waiting jobs, no retention; (2) 2N jobs completed with
 * each system's default retention, i.e. with the records each keeps by default.
 */
export async function runMemory(ctx: ScenarioContext): Promise<void> {
  const { n } = ctx.args
  const completedN = 2 * n
  const waiting = {
    scenario: 'memory',
    label: `memory, ${n} waiting jobs: bytes/job`,
    unit: 'B/job',
    better: 'lower',
  } as const
  const afterPerJob = {
    scenario: 'memory',
    label: `memory after ${completedN} completed, default retention: bytes/job`,
    unit: 'B/job',
    better: 'lower',
  } as const
  const afterTotal = {
    scenario: 'memory',
    label: `memory after ${completedN} completed, default retention: used_memory MB`,
    unit: 'MB',
    better: 'lower',
  } as const

  ctx.log(`memory: ${n} waiting jobs (payload {i, t}, ~20 bytes of JSON)`)
  await eachRun(ctx, { title: 'memory-waiting', systems: ctx.systems }, async (name) => {
    const producer = await SYSTEMS[name].producer({ url: ctx.target.url, retain: false })
    try {
      const before = await usedMemory(ctx.target.admin)
      await fill(producer, n)
      const perJob = ((await usedMemory(ctx.target.admin)) - before) / n
      ctx.results.add(waiting, name, perJob)
      return `${perJob.toFixed(0)} B/job`
    } finally {
      await producer.close()
    }
  })

  // The sweep: what a waiting job costs beyond its payload's own bytes of JSON.
  for (const bytes of ctx.args.sizes) {
    const count = jobsAtSize(n, bytes)
    const key = {
      scenario: 'memory',
      label: `memory, ${count} waiting jobs of ${sizeLabel(bytes)}: bytes/job beyond the payload`,
      unit: 'B/job',
      better: 'lower',
    } as const
    ctx.log(`memory: ${count} waiting jobs with ${bytes} bytes of JSON each`)
    await eachRun(ctx, { title: 'memory-waiting', systems: ctx.systems }, async (name) => {
      const producer = await SYSTEMS[name].producer({ url: ctx.target.url, retain: false })
      try {
        const before = await usedMemory(ctx.target.admin)
        await fill(producer, count, bytes)
        const perJob = ((await usedMemory(ctx.target.admin)) - before) / count
        ctx.results.add(key, name, perJob - bytes)
        return `${perJob.toFixed(0)} B/job, ${(perJob - bytes).toFixed(0)} beyond the payload`
      } finally {
        await producer.close()
      }
    })
  }

  // The naive queue keeps no record of anything, so it has nothing to retain.
  const retaining = ctx.systems.filter((s) => s !== 'naive')
  ctx.log(`memory: ${completedN} jobs completed with default retention`)
  await eachRun(ctx, { title: 'memory-completed', systems: retaining }, async (name) => {
    const system = SYSTEMS[name]
    const producer = await system.producer({ url: ctx.target.url, retain: true })
    const seen = countdown(completedN, timeoutFor(completedN))
    const consumer = await system.consumer({
      url: ctx.target.url,
      retain: true,
      concurrency: CONCURRENCY,
      onJob: () => seen.tick(),
    })
    try {
      const before = await usedMemory(ctx.target.admin)
      await fill(producer, completedN)
      consumer.start()
      await seen.done
      await waitSettled(producer, 30_000)
      // Lets the last outcome batches and event-stream writes land before reading.
      await sleep(200)
      const after = await usedMemory(ctx.target.admin)
      const perJob = (after - before) / completedN
      ctx.results.add(afterPerJob, name, perJob)
      ctx.results.add(afterTotal, name, after / 1e6)
      return `used_memory ${(after / 1e6).toFixed(1)} MB, ${perJob.toFixed(0)} B/job`
    } finally {
      await consumer.close()
      await producer.close()
    }
  })
}
