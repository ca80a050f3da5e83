import { redisCall } from '../redis-errors.js'
import type { BatchStore, CallbackKind } from './batch-store.js'
import { readFlowJobs } from './flow-jobs.js'
import type { NodeOutcome } from './flow-store.js'

const BATCH = 50
const FINISHED = new Set(['completed', 'dead', 'cancelled'])
/** How often a batch not done is looked at again. */
export const BATCH_SWEEP_EVERY_MS = 30_000

/**
 * Repairs what a worker that died between two steps of a batch left: counts jobs that
 * finished without their batch hearing of it, and enqueues callbacks marked due but
 * not marked enqueued. Every step is idempotent, so several sweepers at once are fine.
 */
export class BatchSweeper {
  constructor(private readonly store: BatchStore) {}

  async run(now = Date.now()): Promise<number> {
    const redis = this.store.redis
    const due = await redisCall(
      redis.zrangebyscore(this.store.index, '-inf', now, 'LIMIT', 0, BATCH),
    )
    for (const batchId of due) await this.sweep(batchId)
    return due.length
  }

  private async sweep(batchId: string): Promise<void> {
    const redis = this.store.redis
    const k = this.store.keys(batchId)
    const [meta, members, outcomes] = await redisCall(
      Promise.all([redis.hgetall(k.meta), redis.smembers(k.members), redis.hgetall(k.outcomes)]),
    )
    if (meta.state === undefined) {
      await redisCall(redis.zrem(this.store.index, batchId))
      return
    }
    const open = members.filter((id) => !(id in outcomes))
    const jobs = await readFlowJobs(this.store, open)
    for (const id of open) {
      const job = jobs.get(id)
      if (!job) continue
      const outcome = job.gone ? 'completed' : job.state
      if (FINISHED.has(outcome)) await this.store.finished(batchId, id, outcome as NodeOutcome)
    }
    const pending = (['onSuccess', 'onComplete'] as CallbackKind[]).filter(
      (kind) => meta[`fired:${kind}`] === 'pending',
    )
    await this.store.fire(batchId, pending)
    const after = await redisCall(
      redis.hmget(k.meta, 'state', 'fired:onSuccess', 'fired:onComplete'),
    )
    const done = after[0] === 'done' && after[1] !== 'pending' && after[2] !== 'pending'
    if (done) await redisCall(redis.zrem(this.store.index, batchId))
    else await redisCall(redis.zadd(this.store.index, Date.now() + BATCH_SWEEP_EVERY_MS, batchId))
  }
}
