import type { RedisClient } from '../connection.js'
import { prepareJob, type JobInput } from '../enqueue-prep.js'
import {
  BATCH_SCRIPT_KEYS,
  batchIndexKey,
  batchKeys,
  queueKeys,
  type BatchKeys,
  type BatchScriptName,
} from '../keys.js'
import { redisCall } from '../redis-errors.js'
import type { JobRegistry, JobTypeMap } from '../registry.js'
import { runScript, type ScriptArg } from '../script-runner.js'
import { QueueScripts } from '../scripts.js'
import { decodeSpec, encodeSpec } from '../spec-codec.js'
import type { NodeOutcome } from './flow-store.js'

export type CallbackKind = 'onSuccess' | 'onComplete'

/** What a batch's callback job is given: `job.batch()`. */
export interface BatchReport {
  id: string
  counts: { total: number; completed: number; dead: number; cancelled: number }
  /** the ids of the jobs that ended dead or cancelled */
  failed: string[]
}

/** The job id a batch's callback gets: the same every time, so it is enqueued once. */
export function callbackJobId(batchId: string, kind: CallbackKind): string {
  return `${batchId}-${kind}`
}

/**
 * A batch's scripts (on its own keys) and the firing of its callbacks (in their
 * queues): each step idempotent, so a worker that dies between two is made up for by a
 * BatchSweeper doing them again.
 */
export class BatchStore<M extends JobTypeMap = JobTypeMap> {
  readonly index: string

  constructor(
    readonly redis: RedisClient,
    readonly prefix: string,
    readonly registry: JobRegistry<M>,
    readonly eventsMaxLen: number,
  ) {
    this.index = batchIndexKey(prefix)
  }

  keys(batchId: string): BatchKeys {
    return batchKeys(this.prefix, batchId)
  }

  run(name: BatchScriptName, batchId: string, args: ScriptArg[]): Promise<unknown> {
    const k = this.keys(batchId)
    return runScript(
      this.redis,
      name,
      BATCH_SCRIPT_KEYS[name].map((n) => k[n]),
      args,
    )
  }

  /** A job of the batch finished: count it, and fire what became due. */
  async finished(batchId: string, jobId: string, outcome: NodeOutcome): Promise<void> {
    const due = (await this.run('batch-done', batchId, [jobId, outcome])) as CallbackKind[]
    await this.fire(batchId, due)
  }

  /**
   * Enqueues callbacks under the job id callbackJobId gives (the enqueue script never
   * takes an id twice), then marks each enqueued.
   */
  async fire(batchId: string, kinds: readonly CallbackKind[]): Promise<void> {
    if (kinds.length === 0) return
    const k = this.keys(batchId)
    const raw = await redisCall(this.redis.hmget(k.meta, ...kinds))
    for (const [i, kind] of kinds.entries()) {
      const input = JSON.parse(raw[i] ?? 'null') as JobInput | null
      if (!input) continue
      const arg = prepareJob(
        this.registry,
        { ...input, options: { ...input.options, jobId: callbackJobId(batchId, kind) } },
        `/${kind}`,
      )
      const spec = decodeSpec(arg.spec)
      spec.callbackOf = batchId
      arg.spec = encodeSpec(spec)
      const queue = this.registry.queueOf(input.type)
      await new QueueScripts(this.redis, queueKeys(this.prefix, queue), this.eventsMaxLen).enqueue([
        arg,
      ])
      await redisCall(this.redis.hset(k.meta, `fired:${kind}`, 'enqueued'))
    }
  }

  async report(batchId: string): Promise<BatchReport> {
    const k = this.keys(batchId)
    const [meta, outcomes] = await redisCall(
      Promise.all([this.redis.hgetall(k.meta), this.redis.hgetall(k.outcomes)]),
    )
    return {
      id: batchId,
      counts: {
        total: Number(meta.total ?? 0),
        completed: Number(meta.completed ?? 0),
        dead: Number(meta.dead ?? 0),
        cancelled: Number(meta.cancelled ?? 0),
      },
      failed: Object.entries(outcomes)
        .filter(([, o]) => o !== 'completed')
        .map(([id]) => id)
        .sort(),
    }
  }
}
