import { defineJobTypes, Queue, Worker } from '@conveyor/queue-core'
import Type from 'typebox'
import { info } from '../redis-info.js'
import { countdown, eachRun, timeoutFor, type ScenarioContext } from './context.js'

const registry = defineJobTypes({
  bench: { schema: Type.Object({ i: Type.Integer(), t: Type.Number() }) },
})
const GROUPS = 10_000
const CONCURRENCY = 50
const noRetention = { completedMs: 0 }

async function commandsProcessed(ctx: ScenarioContext): Promise<number> {
  return Number((await info(ctx.target.admin, 'stats')).get('total_commands_processed') ?? 0)
}

/**
 * Conveyor's groups and limits (issue 11): n jobs drained at worker concurrency 50 with
 * no group, then spread over 10,000 groups of per-group concurrency 1; then Redis
 * commands per second while 10,000 jobs wait on a queue rate that allows none.
 */
export async function runGroups(ctx: ScenarioContext): Promise<void> {
  if (!ctx.systems.includes('conveyor')) return
  const n = ctx.args.n
  ctx.log(`groups: ${n} jobs, no group vs ${GROUPS} groups of concurrency 1; limit waiting`)
  for (const grouped of [false, true]) {
    const key = {
      scenario: 'groups',
      label: grouped
        ? `groups: ${GROUPS} groups, concurrency 1 each, worker ${CONCURRENCY}: jobs/s`
        : `groups: no group, worker ${CONCURRENCY}: jobs/s`,
      unit: 'jobs/s',
      better: 'higher',
    } as const
    await eachRun(ctx, { title: grouped ? 'grouped' : 'ungrouped', systems: ['conveyor'] }, () =>
      drain(ctx, n, grouped).then((rate) => {
        ctx.results.add(key, 'conveyor', rate.jobsPerSecond)
        return `${Math.round(rate.jobsPerSecond)} jobs/s, ${rate.commandsPerJob.toFixed(1)} Redis commands/job`
      }),
    )
  }
  const waiting = {
    scenario: 'groups',
    label: 'groups: 10,000 jobs waiting on a limit, 3 workers: Redis commands/s',
    unit: 'commands/s',
    better: 'lower',
  } as const
  await eachRun(ctx, { title: 'limit-wait', systems: ['conveyor'] }, async () => {
    const rate = await limitWait(ctx)
    ctx.results.add(waiting, 'conveyor', rate)
    return `${rate.toFixed(1)} commands/s`
  })
}

async function drain(ctx: ScenarioContext, n: number, grouped: boolean) {
  const queue = new Queue({ connection: ctx.target.url, registry, retention: noRetention })
  try {
    if (grouped) await queue.limits.set({ groups: { concurrency: 1 } })
    for (let i = 0; i < n; i += 1000) {
      await queue.enqueueBulk(
        Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({
          type: 'bench' as const,
          payload: { i: i + k, t: 0 },
          options: grouped ? { group: `g${(i + k) % GROUPS}` } : {},
        })),
      )
    }
    const count = countdown(n, timeoutFor(n))
    const worker = new Worker({
      connection: ctx.target.url,
      registry,
      concurrency: CONCURRENCY,
      retention: noRetention,
      autorun: false,
      handlers: { bench: () => count.tick() },
    })
    try {
      const before = await commandsProcessed(ctx)
      const started = performance.now()
      void worker.run()
      await count.done
      const seconds = (performance.now() - started) / 1000
      const commands = (await commandsProcessed(ctx)) - before
      return { jobsPerSecond: n / seconds, commandsPerJob: commands / n }
    } finally {
      await worker.close({ timeoutMs: 10_000 })
    }
  } finally {
    await queue.close()
  }
}

async function limitWait(ctx: ScenarioContext): Promise<number> {
  const queue = new Queue({ connection: ctx.target.url, registry, retention: noRetention })
  const workers: Worker<typeof registry.types>[] = []
  try {
    await queue.limits.set({ rate: { max: 1, perMs: 3_600_000 } })
    for (let i = 0; i < 10_000; i += 1000) {
      await queue.enqueueBulk(
        Array.from({ length: 1000 }, (_, k) => ({
          type: 'bench' as const,
          payload: { i: i + k, t: 0 },
          options: { group: `g${k % 100}` },
        })),
      )
    }
    const ran = countdown(1, 30_000)
    for (let w = 0; w < 3; w += 1) {
      workers.push(
        new Worker({
          connection: ctx.target.url,
          registry,
          concurrency: CONCURRENCY,
          retention: noRetention,
          handlers: { bench: () => ran.tick() },
        }),
      )
    }
    await ran.done
    // Settle, then count what every worker sends while all jobs wait.
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const before = await commandsProcessed(ctx)
    const started = performance.now()
    await new Promise((resolve) => setTimeout(resolve, 5_000))
    const after = await commandsProcessed(ctx)
    return (after - before) / ((performance.now() - started) / 1000)
  } finally {
    await Promise.all(workers.map((w) => w.close({ timeoutMs: 5_000 })))
    await queue.close()
  }
}
