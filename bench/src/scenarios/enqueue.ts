import { SYSTEMS } from '../systems/index.js'
import { BULK_SLICE, eachRun, payloads, type ScenarioContext } from './context.js'

/** Bulk enqueue: N jobs through each system's bulk API, slices of 1000, one after another. */
export async function runEnqueue(ctx: ScenarioContext): Promise<void> {
  const { n } = ctx.args
  const key = {
    scenario: 'enqueue',
    label: `bulk enqueue ${n} jobs: jobs/s`,
    unit: 'jobs/s',
    better: 'higher',
  } as const
  ctx.log(`bulk enqueue: ${n} jobs in slices of ${BULK_SLICE}`)
  // Built once, outside the timing: only the system's own work is measured.
  const slices: ReturnType<typeof payloads>[] = []
  for (let i = 0; i < n; i += BULK_SLICE) slices.push(payloads(i, Math.min(BULK_SLICE, n - i)))
  await eachRun(ctx, { title: 'enqueue', systems: ctx.systems }, async (name) => {
    const producer = await SYSTEMS[name].producer({ url: ctx.target.url, retain: false })
    try {
      const started = performance.now()
      for (const slice of slices) await producer.addBulk(slice)
      const rate = n / ((performance.now() - started) / 1000)
      ctx.results.add(key, name, rate)
      return `${Math.round(rate)} jobs/s`
    } finally {
      await producer.close()
    }
  })
}
