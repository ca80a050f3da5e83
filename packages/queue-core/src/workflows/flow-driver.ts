import { parseJobId } from '../job-id.js'
import { queueKeys } from '../keys.js'
import { decodeRecord } from '../record-codec.js'
import { redisCall } from '../redis-errors.js'
import { ScriptRunner } from '../script-runner.js'
import { scriptKeys } from '../keys.js'
import { SCRIPT_CODES } from '../script-codes.js'
import type { Decision, FlowStore, NodeFinished, NodeOutcome } from './flow-store.js'

export interface FlowDriverOptions {
  store: FlowStore
  /** ms to keep a flow's bookkeeping once every job finished */
  keepMs: number
}

function reason(action: string, at: number): string {
  const parent = action.slice('cancel|'.length)
  const message =
    parent === 'flow'
      ? 'the flow was cancelled'
      : `cancelled: its parent "${parent}" ended dead or cancelled`
  return JSON.stringify({
    message,
    code: parent === 'flow' ? 'flow_cancelled' : 'parent_failed',
    attempt: 0,
    failedAt: at,
  })
}

interface Finished extends NodeFinished {
  flowId: string
}

/** Nodes per flow-done call, and result bytes: a call stays small whatever the batch. */
const DONE_NODES_PER_CALL = 200
const DONE_BYTES_PER_CALL = 1 << 20

/**
 * Carries a flow forward, one idempotent step at a time: records a node's outcome in
 * the flow's keys (flow-done.lua), then applies the decisions that came of it to the
 * children's jobs, each in its own queue (flow-release.lua), and records in turn the
 * children that this cancelled. A process that dies between steps leaves the decisions
 * in the flow's `todo`, which the FlowSweeper applies again; applying one twice changes
 * nothing.
 */
export class FlowDriver {
  readonly store: FlowStore
  private readonly keepMs: number
  private readonly runners = new Map<string, ScriptRunner>()

  constructor(o: FlowDriverOptions) {
    this.store = o.store
    this.keepMs = o.keepMs
  }

  /** A node's job finished: record it and carry its children on (and theirs, if cancelled). */
  async finished(f: Finished): Promise<void> {
    await this.finishedMany(f.flowId, [f])
  }

  /**
   * Nodes of one flow finished (a worker's ack batch): recorded in as few calls as the
   * bounds allow, then their children carried on, as finished() does for one.
   */
  async finishedMany(flowId: string, nodes: readonly NodeFinished[]): Promise<void> {
    let work: readonly NodeFinished[] = nodes
    while (work.length > 0) {
      const next: NodeFinished[] = []
      for (const chunk of chunks(work)) {
        const decisions = await this.store.done({ flowId, nodes: chunk, keepMs: this.keepMs })
        next.push(...(await this.applyOnce(flowId, decisions)))
      }
      work = next
    }
  }

  /** Applies decisions, and records the outcomes that follow from them. */
  async apply(flowId: string, decisions: readonly Decision[]): Promise<void> {
    await this.finishedMany(flowId, await this.applyOnce(flowId, decisions))
  }

  /** Applies decisions; returns the nodes whose job is now known to be finished. */
  private async applyOnce(flowId: string, decisions: readonly Decision[]): Promise<Finished[]> {
    const byQueue = new Map<string, Decision[]>()
    for (const d of decisions) {
      const parsed = parseJobId(d.job)
      if (!parsed) continue
      let list = byQueue.get(parsed.queue)
      if (!list) byQueue.set(parsed.queue, (list = []))
      list.push(d)
    }
    const now = Date.now()
    const follow: Finished[] = []
    await Promise.all(
      [...byQueue].map(async ([queue, list]) => {
        const states = await this.store.release(
          queue,
          list.map((d) => ({
            localId: d.job.slice(queue.length + 1),
            action: d.action === 'run' || d.action === 'wait' ? d.action : 'cancel',
            reason: d.action.startsWith('cancel|') ? reason(d.action, now) : '',
          })),
        )
        for (const [i, d] of list.entries()) {
          if (!d.action.startsWith('cancel|')) continue
          const outcome = await this.cancelled(queue, d, states[i] ?? '', now)
          if (outcome) follow.push({ flowId, node: d.node, ...outcome })
        }
      }),
    )
    return follow
  }

  /**
   * A job to cancel that flow-release found not waiting: cancel it where it is. Returns
   * its outcome once it is finished; undefined while it still runs (its worker records
   * the outcome when it stops).
   */
  private async cancelled(
    queue: string,
    d: Decision,
    state: string,
    now: number,
  ): Promise<{ outcome: NodeOutcome; result: string } | undefined> {
    const localId = d.job.slice(queue.length + 1)
    if (state === 'cancelled' || state === '') return { outcome: 'cancelled', result: '' }
    if (state === 'completed' || state === 'dead') {
      const result = await redisCall(
        this.redis.hget(queueKeys(this.store.prefix, queue).results, localId),
      )
      return { outcome: state, result: result ?? '' }
    }
    const keys = queueKeys(this.store.prefix, queue)
    const args = [this.store.eventsMaxLen, localId, keys.cancelChannel]
    const code = (await this.runner(queue).run('cancel', args)) as number
    if (code === SCRIPT_CODES.done) return { outcome: 'cancelled', result: '' }
    // Running: its worker stops it and tells the flow once it is stored cancelled.
    if (code === SCRIPT_CODES.cancelling) return undefined
    // It finished meanwhile: look again.
    const raw = await redisCall(this.redis.hget(keys.state, localId))
    const rec = raw === null ? null : decodeRecord(raw)
    if (rec?.state === 'completed' || rec?.state === 'dead') {
      return this.cancelled(queue, d, rec.state, now)
    }
    return { outcome: 'cancelled', result: '' }
  }

  private get redis() {
    return this.store.redis
  }

  private runner(queue: string): ScriptRunner {
    let runner = this.runners.get(queue)
    if (!runner) {
      runner = new ScriptRunner(this.redis, scriptKeys(queueKeys(this.store.prefix, queue)))
      this.runners.set(queue, runner)
    }
    return runner
  }
}

function* chunks(nodes: readonly NodeFinished[]): Generator<NodeFinished[]> {
  let chunk: NodeFinished[] = []
  let bytes = 0
  for (const f of nodes) {
    if (
      chunk.length > 0 &&
      (chunk.length >= DONE_NODES_PER_CALL || bytes + f.result.length > DONE_BYTES_PER_CALL)
    ) {
      yield chunk
      chunk = []
      bytes = 0
    }
    chunk.push(f)
    bytes += f.result.length
  }
  if (chunk.length > 0) yield chunk
}
