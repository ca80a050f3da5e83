import { eachRun, jobsAtSize, sizeLabel, type ScenarioContext } from './context.js'
import { drain } from './drain.js'

// Each child process runs a worker at this concurrency in the two-process variant.
const CHILD_CONCURRENCY = 50

interface Variant {
  label: string
  n: number
  concurrency: number
  processes: number
  /** bytes of JSON per payload; 0 = the small `{i, t}` */
  bytes: number
}

/**
 * N queued no-op jobs drained by one in-process worker at concurrency 1, 10 and 50,
 * and by two worker processes; then the payload-size sweep (--sizes) at concurrency 10
 * and 50, with fewer jobs for big payloads (jobsAtSize). No retention of completed
 * jobs for any system.
 */
export async function runProcess(ctx: ScenarioContext): Promise<void> {
  const { n } = ctx.args
  const variants: Variant[] = [
    { label: 'concurrency 1', n, concurrency: 1, processes: 0, bytes: 0 },
    { label: 'concurrency 10', n, concurrency: 10, processes: 0, bytes: 0 },
    { label: 'concurrency 50', n, concurrency: 50, processes: 0, bytes: 0 },
    {
      label: `2 processes x ${CHILD_CONCURRENCY}`,
      n,
      concurrency: CHILD_CONCURRENCY,
      processes: 2,
      bytes: 0,
    },
  ]
  for (const bytes of ctx.args.sizes) {
    for (const concurrency of [10, 50]) {
      const label = `${sizeLabel(bytes)} payloads, concurrency ${concurrency}`
      variants.push({ label, n: jobsAtSize(n, bytes), concurrency, processes: 0, bytes })
    }
  }
  for (const v of variants) {
    const n = v.n
    ctx.log(`process: ${n} no-op jobs, ${v.label}`)
    const key = {
      scenario: 'process',
      label: `process ${n}, ${v.label}: jobs/s`,
      unit: 'jobs/s',
      better: 'higher',
    } as const
    const profile = v.processes === 0 && v.concurrency === 10
    const cost = profile ? (v.bytes === 0 ? undefined : sizeLabel(v.bytes)) : null
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
        payloadBytes: v.bytes,
      })
      const rate = n / (r.ms / 1000)
      ctx.results.add(key, system, rate)
      if (cost !== null) {
        ctx.results.addCost({
          ...(cost === undefined ? {} : { variant: cost }),
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
