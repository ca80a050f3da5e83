import type { RedisClient } from '../connection.js'
import { ConveyorError } from '../errors.js'
import { isValidFlowId } from '../keys.js'
import { redisCall } from '../redis-errors.js'
import type { JobRegistry, JobTypeMap } from '../registry.js'
import type { FlowCreated, FlowState, FlowView } from '../schemas/flow.js'
import type { JobState } from '../schemas/job-record.js'
import { createFlow } from './flow-create.js'
import { FlowDriver } from './flow-driver.js'
import { readFlowJobs } from './flow-jobs.js'
import { prepareFlow } from './flow-prepare.js'
import { FlowStore } from './flow-store.js'

export interface FlowsOptions<M extends JobTypeMap> {
  redis: RedisClient
  prefix: string
  registry: JobRegistry<M>
  eventsMaxLen: number
  /** ms to keep a flow's bookkeeping once every job finished */
  keepMs: number
}

function notFound(id: string): ConveyorError {
  return new ConveyorError('flow_not_found', `no flow "${id}"`)
}

/** Creating, reading and cancelling flows: jobs that wait for other jobs (a DAG). */
export class Flows<M extends JobTypeMap = JobTypeMap> {
  readonly driver: FlowDriver
  private readonly store: FlowStore
  private readonly registry: JobRegistry<M>

  constructor(o: FlowsOptions<M>) {
    this.store = new FlowStore(o.redis, o.prefix, o.eventsMaxLen)
    this.driver = new FlowDriver({ store: this.store, keepMs: o.keepMs })
    this.registry = o.registry
  }

  /**
   * Checks a whole flow (ConveyorError naming `/jobs/<i>/<field>`, nothing written),
   * then creates it (flow-create.ts): its roots run at once, every other job when all
   * its parents completed.
   */
  async create(input: unknown): Promise<FlowCreated> {
    return createFlow(this.driver, prepareFlow(this.registry, input))
  }

  /** The flow with each job's state and edges; null when there is none (or not yet committed). */
  async get(id: string): Promise<FlowView | null> {
    if (!isValidFlowId(id)) return null
    const k = this.store.keys(id)
    const redis = this.store.redis
    const [meta, nodes, outcomes] = await redisCall(
      Promise.all([redis.hgetall(k.meta), redis.hgetall(k.nodes), redis.hgetall(k.outcomes)]),
    )
    if (meta.state === undefined || meta.state === 'creating') return null
    const parsed = Object.entries(nodes).map(([node, raw]) => ({
      node,
      ...(JSON.parse(raw) as { job: string; dependsOn: string[] }),
    }))
    const open = parsed.filter((n) => !(n.node in outcomes)).map((n) => n.job)
    const stored = await readFlowJobs(this.store, open)
    const view: FlowView = {
      id,
      state: meta.state as FlowState,
      createdAt: Number(meta.createdAt),
      counts: {
        total: Number(meta.total),
        finished: Number(meta.finished ?? 0),
        dead: Number(meta.dead ?? 0),
        cancelled: Number(meta.cancelled ?? 0),
      },
      jobs: parsed.map((n) => ({
        node: n.node,
        id: n.job,
        state: (outcomes[n.node] ?? stored.get(n.job)?.state ?? 'unknown') as JobState | 'unknown',
        dependsOn: n.dependsOn,
      })),
    }
    if (meta.name !== undefined) view.name = meta.name
    if (meta.finishedAt !== undefined) view.finishedAt = Number(meta.finishedAt)
    return view
  }

  /** Cancels every job of the flow not yet finished (a running one is stopped where it runs). */
  async cancel(id: string): Promise<void> {
    if (!isValidFlowId(id)) throw notFound(id)
    const decisions = await this.store.cancel(id)
    if (decisions === false) throw notFound(id)
    await this.driver.apply(id, decisions)
  }

  /**
   * Before a flow job is retried: a dead one reopens its flow, and its dependents that
   * were cancelled for it wait for it again. A job of no flow passes untouched.
   */
  async beforeRetry(jobId: string, state: JobState): Promise<void> {
    const ref = await this.store.flowOf(jobId)
    if (!ref) return
    if (state !== 'dead') {
      throw new ConveyorError(
        'invalid_state',
        `job "${jobId}" was cancelled with its flow "${ref.flowId}": retry the dead job it waited for`,
      )
    }
    const decisions = await this.store.reopen(ref.flowId, ref.node)
    if (decisions === false) return
    await this.driver.apply(ref.flowId, decisions)
  }

  /** A flow job was cancelled on its own (Conveyor.cancel): its flow goes on from there. */
  async cancelled(jobId: string): Promise<void> {
    const ref = await this.store.flowOf(jobId)
    if (!ref) return
    await this.driver.finished({
      flowId: ref.flowId,
      node: ref.node,
      outcome: 'cancelled',
      result: '',
    })
  }

  /** The flow's progress stream key, for readers of its events. */
  eventsKey(id: string): string {
    if (!isValidFlowId(id)) throw notFound(id)
    return this.store.keys(id).events
  }
}
