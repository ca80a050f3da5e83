import type { RedisClient } from '../connection.js'
import { parseJobId } from '../job-id.js'
import {
  FLOW_SCRIPT_KEYS,
  flowIndexKey,
  flowKeys,
  queueKeys,
  scriptKeys,
  type FlowKeys,
  type FlowScriptName,
} from '../keys.js'
import { execPipeline, redisCall } from '../redis-errors.js'
import { runScript, ScriptRunner, type ScriptArg } from '../script-runner.js'

/** What must happen to a node's job in its queue (lua/includes/flow.lua). */
export interface Decision {
  node: string
  /** the job's id, `<queue>:<local id>` */
  job: string
  /** run, wait, cancel|<parent node> or cancel|flow */
  action: string
}

export type NodeOutcome = 'completed' | 'dead' | 'cancelled'

/** A node's job finished: how, and its result JSON ('' = none). */
export interface NodeFinished {
  node: string
  outcome: NodeOutcome
  result: string
}

/** A job of a flow to store, waiting, in its queue (flow-add.lua). */
export interface WaitingJob {
  localId: string
  spec: string
  /** a big spec's metadata, for listings that never read big payloads ('' = small) */
  head: string
  priority: number
  flowId: string
  node: string
}

function parseDecisions(raw: unknown): Decision[] {
  const flat = (raw ?? []) as string[]
  const out: Decision[] = []
  for (let i = 0; i + 2 < flat.length; i += 3) {
    out.push({ node: String(flat[i]), job: String(flat[i + 1]), action: String(flat[i + 2]) })
  }
  return out
}

/** Jobs per flow-add call, so that no single script holds Redis long. */
const ADD_SLICE = 500

/**
 * One typed wrapper per flow script (on a flow's keys) and per queue script of the
 * workflows (flow-add, flow-release, on a queue's keys). No script touches both.
 */
export class FlowStore {
  private readonly runners = new Map<string, ScriptRunner>()
  readonly index: string

  constructor(
    readonly redis: RedisClient,
    readonly prefix: string,
    readonly eventsMaxLen: number,
  ) {
    this.index = flowIndexKey(prefix)
  }

  keys(flowId: string): FlowKeys {
    return flowKeys(this.prefix, flowId)
  }

  private runFlow(name: FlowScriptName, flowId: string, args: ScriptArg[]): Promise<unknown> {
    const k = this.keys(flowId)
    return runScript(
      this.redis,
      name,
      FLOW_SCRIPT_KEYS[name].map((n) => k[n]),
      args,
    )
  }

  private queueRunner(queue: string): ScriptRunner {
    let runner = this.runners.get(queue)
    if (!runner) {
      runner = new ScriptRunner(this.redis, scriptKeys(queueKeys(this.prefix, queue)))
      this.runners.set(queue, runner)
    }
    return runner
  }

  /** Stores a queue's jobs of a flow, waiting (flow-add.lua). */
  async add(queue: string, jobs: readonly WaitingJob[]): Promise<void> {
    const runner = this.queueRunner(queue)
    const calls: Promise<unknown>[] = []
    for (let i = 0; i < jobs.length; i += ADD_SLICE) {
      const slice = jobs.slice(i, i + ADD_SLICE)
      const args: ScriptArg[] = [slice.length]
      for (const j of slice)
        args.push(j.localId, j.spec, j.priority, `${j.flowId}|${j.node}`, j.head)
      calls.push(runner.run('flow-add', args))
    }
    await Promise.all(calls)
  }

  /**
   * Applies actions to jobs of one queue (flow-release.lua); returns each job's state
   * afterwards ('' when it has none), in order.
   */
  async release(
    queue: string,
    items: readonly { localId: string; action: string; reason: string }[],
  ): Promise<string[]> {
    const args: ScriptArg[] = [this.eventsMaxLen, items.length]
    for (const it of items) args.push(it.localId, it.action, it.reason)
    return (await this.queueRunner(queue).run('flow-release', args)) as string[]
  }

  /** false when the flow does not exist. */
  async commit(flowId: string, roots: readonly string[]): Promise<Decision[] | false> {
    const reply = await this.runFlow('flow-commit', flowId, [this.eventsMaxLen, ...roots])
    return reply === null ? false : parseDecisions(reply)
  }

  /** Records the outcomes of nodes of one flow (flow-done.lua): the decisions that follow. */
  async done(o: {
    flowId: string
    nodes: readonly NodeFinished[]
    keepMs: number
  }): Promise<Decision[]> {
    const args: ScriptArg[] = [this.eventsMaxLen, o.keepMs, o.nodes.length]
    for (const f of o.nodes) args.push(f.node, f.outcome, f.result)
    return parseDecisions(await this.runFlow('flow-done', o.flowId, args))
  }

  /** false when there is no such flow. */
  async cancel(flowId: string): Promise<Decision[] | false> {
    const reply = await this.runFlow('flow-cancel', flowId, [this.eventsMaxLen])
    return reply === null ? false : parseDecisions(reply)
  }

  /** false when the node is not dead (or its flow is gone or cancelled). */
  async reopen(flowId: string, node: string): Promise<Decision[] | false> {
    const reply = await this.runFlow('flow-reopen', flowId, [this.eventsMaxLen, node])
    return reply === null ? false : parseDecisions(reply)
  }

  /** The flow and node a job of a queue belongs to; null for a job of no flow. */
  async flowOf(jobId: string): Promise<{ flowId: string; node: string } | null> {
    const parsed = parseJobId(jobId)
    if (!parsed) return null
    const ref = await redisCall(
      this.redis.hget(queueKeys(this.prefix, parsed.queue).flowjobs, parsed.localId),
    )
    if (ref === null) return null
    const cut = ref.indexOf('|')
    return { flowId: ref.slice(0, cut), node: ref.slice(cut + 1) }
  }

  /** The results of a node's parents, by parent node (absent: the parent returned nothing). */
  async parentResults(flowId: string, node: string): Promise<Record<string, unknown>> {
    const k = this.keys(flowId)
    const raw = await redisCall(this.redis.hget(k.nodes, node))
    if (raw === null) return {}
    const parents = (JSON.parse(raw) as { dependsOn: string[] }).dependsOn
    if (parents.length === 0) return {}
    const results = await redisCall(this.redis.hmget(k.results, ...parents))
    const out: Record<string, unknown> = {}
    parents.forEach((p, i) => {
      const r = results[i]
      out[p] = r === null || r === undefined ? undefined : JSON.parse(r)
    })
    return out
  }

  /** Marks the flow to be looked at by a FlowSweeper at `atMs` (the index). */
  async schedule(flowId: string, atMs: number): Promise<void> {
    await redisCall(this.redis.zadd(this.index, atMs, flowId))
  }

  async unschedule(flowId: string): Promise<void> {
    await redisCall(this.redis.zrem(this.index, flowId))
  }

  /** Deletes every key of a flow. */
  async deleteFlow(flowId: string): Promise<void> {
    const k = this.keys(flowId)
    const pipe = this.redis.pipeline()
    for (const key of Object.values(k) as string[]) pipe.del(key)
    await execPipeline(pipe)
  }
}
