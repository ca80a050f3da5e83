import { redisCall } from '../redis-errors.js'
import { CREATE_GRACE_MS, SWEEP_EVERY_MS } from './flow-create.js'
import type { FlowDriver } from './flow-driver.js'
import { readFlowJobs } from './flow-jobs.js'
import type { Decision, NodeOutcome } from './flow-store.js'

/** Flows looked at per call. */
const BATCH = 50
const FINISHED = new Set(['completed', 'dead', 'cancelled'])

/**
 * Repairs what a process that died between two steps of a flow left half done (every
 * step being idempotent, it only does each again): deletes flows never committed after
 * CREATE_GRACE_MS, applies the decisions left in a flow's `todo`, and records the
 * outcome of jobs that finished without their flow hearing of it. Looks at each
 * unfinished flow every SWEEP_EVERY_MS, from the flows index; workers run one on a
 * timer of their own, and several at once do the same idempotent work.
 */
export class FlowSweeper {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> = Promise.resolve()
  private stopped = false

  constructor(
    private readonly driver: FlowDriver,
    private readonly onError: (err: unknown) => void,
    private readonly o: { everyMs?: number; also?: { run(): Promise<number> } } = {},
  ) {}

  /** Looks at every flow due now; returns how many it looked at. */
  async run(now = Date.now()): Promise<number> {
    const store = this.driver.store
    const due = await redisCall(
      store.redis.zrangebyscore(store.index, '-inf', now, 'LIMIT', 0, BATCH),
    )
    for (const flowId of due) {
      try {
        await this.sweep(flowId, now)
      } catch (err) {
        this.onError(err)
      }
    }
    return due.length
  }

  private async sweep(flowId: string, now: number): Promise<void> {
    const store = this.driver.store
    const k = store.keys(flowId)
    const [meta, nodes, outcomes, todo] = await redisCall(
      Promise.all([
        store.redis.hgetall(k.meta),
        store.redis.hgetall(k.nodes),
        store.redis.hgetall(k.outcomes),
        store.redis.hgetall(k.todo),
      ]),
    )
    const jobOf = (node: string) => (JSON.parse(nodes[node] ?? '{}') as { job?: string }).job ?? ''
    if (meta.state === undefined) return store.unschedule(flowId)
    if (meta.state === 'creating') {
      if (now - Number(meta.createdAt) < CREATE_GRACE_MS) return
      return this.drop(flowId, Object.keys(nodes).map(jobOf))
    }
    if (meta.state === 'completed' || meta.state === 'failed') return store.unschedule(flowId)
    const decisions: Decision[] = Object.entries(todo).map(([node, action]) => ({
      node,
      job: jobOf(node),
      action,
    }))
    await this.driver.apply(flowId, decisions)
    // Read after the decisions were applied: a job put back to wait reads as waiting.
    const open = Object.keys(nodes).filter((n) => !(n in outcomes))
    const jobs = await readFlowJobs(store, open.map(jobOf))
    for (const node of open) {
      const job = jobs.get(jobOf(node))
      if (!job) continue
      // A job deleted as it completed (retention 0) left nothing but its absence.
      const outcome = job.gone ? 'completed' : job.state
      if (!FINISHED.has(outcome)) continue
      await this.driver.finished({
        flowId,
        node,
        outcome: outcome as NodeOutcome,
        result: job.result ?? '',
      })
    }
    await store.schedule(flowId, Date.now() + SWEEP_EVERY_MS)
  }

  /** A flow whose creation never committed: its waiting jobs and its keys go. */
  private async drop(flowId: string, jobIds: string[]): Promise<void> {
    const store = this.driver.store
    const byQueue = new Map<string, string[]>()
    for (const id of jobIds) {
      const cut = id.indexOf(':')
      if (cut <= 0) continue
      const queue = id.slice(0, cut)
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), id.slice(cut + 1)])
    }
    for (const [queue, ids] of byQueue) {
      for (let i = 0; i < ids.length; i += 500) {
        const slice = ids.slice(i, i + 500)
        await store.release(
          queue,
          slice.map((localId) => ({ localId, action: 'drop', reason: '' })),
        )
      }
    }
    await store.deleteFlow(flowId)
    await store.unschedule(flowId)
  }

  start(): void {
    this.schedule(0)
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      const both = async () => {
        await this.run()
        await this.o.also?.run()
      }
      this.running = both().then(
        () => undefined,
        (err: unknown) => this.onError(err),
      )
      void this.running.then(() => this.schedule(this.o.everyMs ?? 5_000))
    }, delayMs)
    this.timer.unref()
  }
}
