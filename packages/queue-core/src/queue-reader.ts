import type { RedisClient } from './connection.js'
import { toJobId } from './job-id.js'
import { toJobRecord } from './job-record.js'
import type { QueueKeys } from './keys.js'
import { decodeStats, type QueueMetrics } from './metrics.js'
import { execPipeline, redisCall } from './redis-errors.js'
import type { JobRecord, JobState, QueueCounts } from './schemas/job-record.js'
import type { QueueScripts } from './scripts.js'

export interface JobPage {
  jobs: JobRecord[]
  total: number
}

/** The largest page list() returns. */
export const MAX_PAGE = 1000

/**
 * Reads one queue's jobs, counts and metrics: plain commands, pipelined, never a
 * scan. Ids in are local ids; records out carry job ids.
 */
export class QueueReader {
  constructor(
    private readonly queue: string,
    private readonly redis: RedisClient,
    private readonly keys: QueueKeys,
    private readonly scripts: QueueScripts,
  ) {}

  /** Records in the order of `ids`; a missing job is null. */
  async getJobs(ids: readonly string[]): Promise<(JobRecord | null)[]> {
    if (ids.length === 0) return []
    const k = this.keys
    const cols = (await execPipeline(
      this.redis
        .pipeline()
        .hmget(k.specs, ...ids)
        .hmget(k.state, ...ids)
        .hmget(k.results, ...ids)
        .hmget(k.progress, ...ids)
        .hmget(k.errors, ...ids)
        .hmget(k.legacy, ...ids),
    )) as (string | null)[][]
    const [specs, states, results, progress, errors, legacy] = cols
    return ids.map((id, i) => {
      let spec = specs?.[i] ?? null
      let state = states?.[i] ?? null
      // A storage v1 job nothing has converted yet reads as it will once converted.
      const old = legacy?.[i]
      if (spec === null && state === null && typeof old === 'string') {
        const cut = old.indexOf('\n')
        state = cut < 0 ? null : old.slice(0, cut)
        spec = cut < 0 ? old : old.slice(cut + 1)
      }
      return toJobRecord({
        id: toJobId(this.queue, id),
        queue: this.queue,
        spec,
        state,
        result: results?.[i] ?? null,
        progress: progress?.[i] ?? null,
        error: errors?.[i] ?? null,
      })
    })
  }

  async counts(): Promise<QueueCounts> {
    const [queued, scheduled, retrying, active, completed, dead, cancelled, paused] =
      await this.scripts.counts()
    return {
      queued: queued ?? 0,
      scheduled: scheduled ?? 0,
      retrying: retrying ?? 0,
      active: active ?? 0,
      completed: completed ?? 0,
      dead: dead ?? 0,
      cancelled: cancelled ?? 0,
      paused: paused === 1,
    }
  }

  /**
   * One page of the jobs in a state. Queued jobs come in the order they will run;
   * scheduled and retrying by due time; active by lease deadline; finished ones newest first.
   */
  async list(state: JobState, page: { offset?: number; limit?: number } = {}): Promise<JobPage> {
    const offset = Math.max(0, page.offset ?? 0)
    const limit = Math.min(Math.max(1, page.limit ?? 50), MAX_PAGE)
    const { ids, total } =
      state === 'queued'
        ? await this.listQueued(offset, limit)
        : await this.listIndexed(state, offset, limit)
    const jobs = (await this.getJobs(ids)).filter((j): j is JobRecord => j !== null)
    return { jobs, total }
  }

  private async listIndexed(state: Exclude<JobState, 'queued'>, offset: number, limit: number) {
    const k = this.keys
    const index = {
      scheduled: k.delayed,
      retrying: k.retry,
      active: k.leases,
      completed: k.completed,
      dead: k.dead,
      cancelled: k.cancelled,
    }[state]
    const newestFirst = state === 'completed' || state === 'dead' || state === 'cancelled'
    const [total, ids] = await redisCall(
      Promise.all([
        this.redis.zcard(index),
        newestFirst
          ? this.redis.zrange(index, offset, offset + limit - 1, 'REV')
          : this.redis.zrange(index, offset, offset + limit - 1),
      ]),
    )
    return { ids, total }
  }

  private async listQueued(offset: number, limit: number) {
    const lengths = await redisCall(Promise.all(this.keys.ready.map((key) => this.redis.llen(key))))
    const total = lengths.reduce((a, b) => a + b, 0)
    const ranges: Promise<string[]>[] = []
    let skip = offset
    let want = limit
    for (const [p, len] of lengths.entries()) {
      if (want <= 0) break
      if (skip >= len) {
        skip -= len
        continue
      }
      const take = Math.min(want, len - skip)
      ranges.push(this.redis.lrange(this.keys.ready[p] ?? '', skip, skip + take - 1))
      want -= take
      skip = 0
    }
    return { ids: (await redisCall(Promise.all(ranges))).flat(), total }
  }

  /**
   * Counts, totals, the age of the oldest queued job and the duration and wait
   * histograms of every worker of this queue (as of their last heartbeat).
   */
  async metrics(): Promise<QueueMetrics> {
    const [counts, stats, oldest] = await Promise.all([
      this.counts(),
      redisCall(this.redis.hgetall(this.keys.stats)),
      this.scripts.oldest(),
    ])
    const due = oldest.dues.length > 0 ? Math.min(...oldest.dues) : null
    return {
      counts,
      oldestQueuedAgeMs: due === null ? null : Math.max(0, oldest.now - due),
      ...decodeStats(stats),
    }
  }
}
