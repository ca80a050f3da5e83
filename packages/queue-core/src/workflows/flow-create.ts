import { execPipeline } from '../redis-errors.js'
import type { FlowCreated } from '../schemas/flow.js'
import type { FlowDriver } from './flow-driver.js'
import type { PreparedFlow } from './flow-prepare.js'

/** How long a flow may stay uncommitted before the FlowSweeper deletes what it left. */
export const CREATE_GRACE_MS = 60_000
/** How often the FlowSweeper looks again at a flow that is not finished. */
export const SWEEP_EVERY_MS = 30_000

/**
 * Writes a checked flow. No script may touch two queues' keys (a Redis Cluster puts
 * them on different nodes), so it is written in steps, with one commit point:
 *   1. the flow is put in the sweeper's index, to be looked at after CREATE_GRACE_MS;
 *   2. its bookkeeping is written in one MULTI on its own slot, state `creating`;
 *   3. its jobs are stored in their queues, every one `waiting`: none can run;
 *   4. flow-commit.lua turns it `running` (the commit point) and decides its roots;
 *   5. the roots are released in their queues.
 * Until step 4 nothing runs and the flow reads as not found; a producer that dies
 * before it leaves a `creating` flow that the FlowSweeper deletes, jobs and all. After
 * it, the flow is whole in Redis, and the sweeper finishes step 5 if need be.
 */
export async function createFlow(driver: FlowDriver, flow: PreparedFlow): Promise<FlowCreated> {
  const store = driver.store
  const k = store.keys(flow.flowId)
  await store.schedule(flow.flowId, Date.now() + CREATE_GRACE_MS)
  const multi = store.redis.multi()
  const meta: Record<string, string | number> = {
    state: 'creating',
    createdAt: Date.now(),
    total: flow.nodes.length,
    finished: 0,
    dead: 0,
    cancelled: 0,
  }
  if (flow.name !== undefined) meta.name = flow.name
  multi.hset(k.meta, meta)
  for (let i = 0; i < flow.nodes.length; i += 1000) {
    const slice = flow.nodes.slice(i, i + 1000)
    const nodes: string[] = []
    const children: string[] = []
    const pending: (string | number)[] = []
    for (const n of slice) {
      nodes.push(n.node, JSON.stringify({ job: n.job, dependsOn: n.dependsOn, cont: n.cont }))
      if (n.children.length > 0) children.push(n.node, n.children.join(','))
      pending.push(n.node, n.dependsOn.length)
    }
    multi.hset(k.nodes, ...nodes)
    if (children.length > 0) multi.hset(k.children, ...children)
    multi.hset(k.pending, ...pending)
  }
  await execPipeline(multi)
  await Promise.all([...flow.byQueue].map(([queue, jobs]) => store.add(queue, jobs)))
  const roots = await store.commit(flow.flowId, flow.roots)
  if (roots) await driver.apply(flow.flowId, roots)
  await store.schedule(flow.flowId, Date.now() + SWEEP_EVERY_MS)
  return { flowId: flow.flowId, jobs: Object.fromEntries(flow.nodes.map((n) => [n.node, n.job])) }
}
