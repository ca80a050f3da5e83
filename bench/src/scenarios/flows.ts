import { Conveyor, defineJobTypes, Worker } from '@conveyor/queue-core'
import Type from 'typebox'
import { countdown, eachRun, timeoutFor, type ScenarioContext } from './context.js'

const registry = defineJobTypes({
  bench: { schema: Type.Object({ i: Type.Integer(), t: Type.Number() }) },
})
/** The figure: a fan-out/fan-in of 1,000 jobs against 1,000 jobs on their own. */
const JOBS = 1_000
const CONCURRENCY = 50
const noRetention = { completedMs: 0 }

/**
 * Conveyor's workflows (issue 12): the time from the first write to the last job done,
 * for 1,000 independent jobs and for one flow root → 998 jobs → sink (1,000 jobs), both
 * drained by one worker at concurrency 50. The flow's bound is 2× the independent time.
 */
export async function runFlows(ctx: ScenarioContext): Promise<void> {
  if (!ctx.systems.includes('conveyor')) return
  ctx.log(`flows: ${JOBS} independent jobs vs a ${JOBS}-job fan-out/fan-in flow`)
  for (const asFlow of [false, true]) {
    const key = {
      scenario: 'flows',
      label: asFlow
        ? `flows: ${JOBS}-job fan-out/fan-in flow, worker ${CONCURRENCY}: ms to finish`
        : `flows: ${JOBS} independent jobs, worker ${CONCURRENCY}: ms to finish`,
      unit: 'ms',
      better: 'lower',
    } as const
    await eachRun(
      ctx,
      { title: asFlow ? 'fan-out/fan-in' : 'independent', systems: ['conveyor'] },
      () =>
        finish(ctx, asFlow).then((ms) => {
          ctx.results.add(key, 'conveyor', ms)
          return `${Math.round(ms)} ms`
        }),
    )
  }
}

async function finish(ctx: ScenarioContext, asFlow: boolean): Promise<number> {
  const conveyor = new Conveyor({ connection: ctx.target.url, registry })
  const count = countdown(JOBS, timeoutFor(JOBS))
  const worker = new Worker({
    connection: ctx.target.url,
    registry,
    concurrency: CONCURRENCY,
    retention: noRetention,
    handlers: { bench: () => count.tick() },
  })
  try {
    const payload = (i: number) => ({ i, t: 0 })
    const started = performance.now()
    if (asFlow) {
      const middle = Array.from({ length: JOBS - 2 }, (_, i) => ({
        id: `m${i}`,
        type: 'bench' as const,
        payload: payload(i + 1),
        dependsOn: ['root'],
      }))
      await conveyor.flows.create({
        jobs: [
          { id: 'root', type: 'bench', payload: payload(0) },
          ...middle,
          { id: 'sink', type: 'bench', payload: payload(JOBS), dependsOn: middle.map((m) => m.id) },
        ],
      })
    } else {
      await conveyor.enqueueBulk(
        Array.from({ length: JOBS }, (_, i) => ({ type: 'bench' as const, payload: payload(i) })),
      )
    }
    await count.done
    return performance.now() - started
  } finally {
    await worker.close({ timeoutMs: 10_000 })
    await conveyor.close()
  }
}
