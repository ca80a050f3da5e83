import { eachRun, type ScenarioContext } from './context.js'
import { drain } from './drain.js'

// Each child process runs a worker at this concurrency in the two-process variant.
const CHILD_CONCURRENCY = 50

interface Variant {
  label: string
  concurrency: number
  processes: number
}

/**
 * N queued no-op jobs drained by one in-process worker at concurrency 1, 10 and 50,
 * and by two worker processes. No retention of completed jobs for any system.
 */
export async function runProcess(ctx: ScenarioContext): Promise<void> {
  const { n } = ctx.args
  const variants: Variant[] = [
    { label: 'concurrency 1', concurrency: 1, processes: 0 },
    { label: 'concurrency 10', concurrency: 10, processes: 0 },
    { label: 'concurrency 50', concurrency: 50, processes: 0 },
    { label: `2 processes x ${CHILD_CONCURRENCY}`, concurrency: CHILD_CONCURRENCY, processes: 2 },
  ]
  for (const v of variants) {
    ctx.log(`process: ${n} no-op jobs, ${v.label}`)
    const key = {
      scenario: 'process',
      label: `process ${n}, ${v.label}: jobs/s`,
      unit: 'jobs/s',
      better: 'higher',
    } as const
    const profile = v.processes === 0 && v.concurrency === 10
    await eachRun(ctx, { title: 'process', systems: ctx.systems }, async (system) => {
      const r = await drain({
        target: ctx.target,
        system,
        n,
        concurrency: v.concurrency,
        processes: v.processes,
        retain: false,
        prefetch: system === 'conveyor' ? ctx.args.conveyorPrefetch : undefined,
        commandStats: profile,
      })
      const rate = n / (r.ms / 1000)
      ctx.results.add(key, system, rate)
      if (profile) {
        ctx.results.addCost({
          system,
          jobs: n,
          redisUs: r.redisCpuUs,
          nodeUs: r.nodeCpuUs,
          commands: r.commands,
        })
      }
      const settle = r.settledMs - r.ms
      return `${Math.round(rate)} jobs/s (${r.ms.toFixed(0)} ms; all stored +${settle.toFixed(0)} ms; Redis CPU ${(r.redisCpuUs / n).toFixed(1)} µs/job, Node CPU ${(r.nodeCpuUs / n).toFixed(1)} µs/job)`
    })
  }
}
