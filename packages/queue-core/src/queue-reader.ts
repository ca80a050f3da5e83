import type { RedisClient } from './connection.js'
import { toJobId } from './job-id.js'
import { toJobRecord } from './job-record.js'
import { stateIndexKey, type QueueKeys } from './keys.js'
import { ConveyorError } from './errors.js'
import { checkGroupName, groupedAt, groupedMemberId, groupedTotal } from './limits/grouped-queue.js'
import { decodeStats, type QueueMetrics } from './metrics.js'
import { execPipeline, redisCall } from './redis-errors.js'
import type { JobRecord, JobState, JobSummary, QueueCounts } from './schemas/job-record.js'
import { INLINE_SPEC_BYTES, type QueueScripts } from './scripts.js'
import { toJobSummary } from './job-summary.js'

export interface JobPage {
  jobs: JobSummary[]
  total: number
}

export interface ListPage {
  offset?: number
  limit?: number
  /** only this group's queued jobs (queued only: no other state is stored by group) */
  group?: string | undefined
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
    const [queued, scheduled, retrying, active, completed, dead, cancelled, paused, waiting] =
      await this.scripts.counts()
    return {
      queued: queued ?? 0,
      scheduled: scheduled ?? 0,
      retrying: retrying ?? 0,
      active: active ?? 0,
      completed: completed ?? 0,
      dead: dead ?? 0,
      cancelled: cancelled ?? 0,
      waiting: waiting ?? 0,
      paused: paused === 1,
    }
  }

  /**
   * One page of the jobs in a state. Queued jobs come plain ones first, in the order
   * they will run, then grouped ones group by group, each in the order it runs (groups
   * take turns, so that is not the order of the whole queue: see job-browser.ts);
   * scheduled and retrying by due time; active by lease deadline; finished ones newest first.
   */
  async list(state: JobState, page: ListPage = {}): Promise<JobPage> {
    const offset = Math.max(0, page.offset ?? 0)
    const limit = Math.min(Math.max(1, page.limit ?? 50), MAX_PAGE)
    if (page.group !== undefined) {
      checkGroupName(page.group)
      if (state !== 'queued') throw groupNeedsQueued()
    }
    const { ids, total } =
      state === 'queued'
        ? await this.listQueued(offset, limit, page.group)
        : await this.listIndexed(state, offset, limit)
    const jobs = (await this.getSummaries(ids)).filter((j): j is JobSummary => j !== null)
    return { jobs, total }
  }

  /**
   * Summaries in the order of `ids` (null: no such job), read without ever reading a big
   * payload: a spec up to INLINE_SPEC_BYTES is read whole, a bigger one only by its
   * head. Working memory is bounded by ids × (8 KB + a stored error, ~17 KB).
   */
  async getSummaries(ids: readonly string[]): Promise<(JobSummary | null)[]> {
    if (ids.length === 0) return []
    const k = this.keys
    const sizes = this.redis.pipeline()
    for (const id of ids) sizes.hstrlen(k.specs, id)
    sizes
      .hmget(k.state, ...ids)
      .hmget(k.heads, ...ids)
      .hmget(k.errors, ...ids)
    const replies = await execPipeline(sizes)
    const specBytes = replies.slice(0, ids.length) as number[]
    const [states, heads, errors] = replies.slice(ids.length) as (string | null)[][]
    const small = ids.filter(
      (_, i) => (specBytes[i] ?? 0) > 0 && (specBytes[i] ?? 0) <= INLINE_SPEC_BYTES,
    )
    const specs = new Map<string, string | null>()
    if (small.length > 0) {
      const read = await redisCall(this.redis.hmget(k.specs, ...small))
      small.forEach((id, i) => specs.set(id, read[i] ?? null))
    }
    return ids.map((id, i) =>
      toJobSummary({
        id: toJobId(this.queue, id),
        queue: this.queue,
        specBytes: specBytes[i] ?? 0,
        spec: specs.get(id) ?? null,
        head: heads?.[i] ?? null,
        state: states?.[i] ?? null,
        error: errors?.[i] ?? null,
      }),
    )
  }

  private async listIndexed(state: Exclude<JobState, 'queued'>, offset: number, limit: number) {
    const index = stateIndexKey(this.keys, state)
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

  private async listQueued(offset: number, limit: number, group: string | undefined) {
    if (group !== undefined) {
      const [total, members] = await Promise.all([
        groupedTotal(this.redis, this.keys, group),
        groupedAt(this.redis, this.keys, { group, offset, count: limit }),
      ])
      return { ids: members.map(groupedMemberId), total }
    }
    const [lengths, grouped] = await Promise.all([
      redisCall(Promise.all(this.keys.ready.map((key) => this.redis.llen(key)))),
      groupedTotal(this.redis, this.keys),
    ])
    const plain = lengths.reduce((a, b) => a + b, 0)
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
    if (want > 0 && grouped > 0) {
      ranges.push(
        groupedAt(this.redis, this.keys, { offset: skip, count: want }).then((members) =>
          members.map(groupedMemberId),
        ),
      )
    }
    return { ids: (await redisCall(Promise.all(ranges))).flat(), total: plain + grouped }
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

function groupNeedsQueued(): ConveyorError {
  const message = 'lists queued jobs only: no other state is kept by group'
  return new ConveyorError('validation_failed', message, {
    details: [{ path: '/group', message }],
  })
}
