import type { RedisClient } from './connection.js'
import { ConveyorError } from './errors.js'
import { toJobId } from './job-id.js'
import type { QueueKeys } from './keys.js'
import { execPipeline, redisCall } from './redis-errors.js'
import type { JobState, JobSummary } from './schemas/job-record.js'

/** The largest page browse() returns. */
export const MAX_BROWSE_PAGE = 200
/** Ids examined per round trip while filtering: small enough that no command nears 10 ms. */
const SCAN_CHUNK = 200
/** Specs bigger than this are matched by their type only, never read whole for a search. */
export const SEARCH_SPEC_BYTES = 65_536

export interface BrowseOptions {
  state: JobState
  /** where the previous page ended (its `next`); absent for the first page */
  cursor?: string | undefined
  limit?: number | undefined
  /** only jobs of this type */
  type?: string | undefined
  /** only jobs whose stored spec (type, payload, options) contains this text */
  text?: string | undefined
  /** how long a filtered page may search before it answers with what it found */
  budgetMs?: number | undefined
}

export interface BrowsePage {
  jobs: JobSummary[]
  /** the cursor of the next page; null at the end */
  next: string | null
  /** how many jobs this call examined (all of the page's when unfiltered) */
  scanned: number
  /** jobs in the state now */
  total: number
}

interface Slice {
  ids: string[]
  next: string | null
}

export type SummaryReader = (ids: readonly string[]) => Promise<(JobSummary | null)[]>

/**
 * Pages through a state by cursor, never by offset: a zset's cursor is the score and id
 * of the last job shown (its rank is found again in O(log N)), a ready list's is the
 * priority and index to go on from (a quicklist seeks to an index by its nodes), so the
 * thousandth page costs what the first does. Filters read a bounded chunk at a time.
 */
export class JobBrowser {
  constructor(
    private readonly queue: string,
    private readonly redis: RedisClient,
    private readonly keys: QueueKeys,
    private readonly summaries: SummaryReader,
  ) {}

  async browse(options: BrowseOptions): Promise<BrowsePage> {
    const limit = Math.min(Math.max(1, options.limit ?? 50), MAX_BROWSE_PAGE)
    const total = await this.total(options.state)
    const filtered = options.type !== undefined || (options.text ?? '') !== ''
    if (!filtered) {
      const slice = await this.slice(options.state, options.cursor, limit)
      const jobs = (await this.summaries(slice.ids)).filter((j): j is JobSummary => j !== null)
      return { jobs, next: slice.next, scanned: slice.ids.length, total }
    }
    const deadline = Date.now() + Math.min(Math.max(options.budgetMs ?? 250, 10), 5_000)
    const jobs: JobSummary[] = []
    let cursor = options.cursor
    let scanned = 0
    for (;;) {
      const slice = await this.slice(options.state, cursor, SCAN_CHUNK)
      scanned += slice.ids.length
      const hits = await this.match(slice.ids, options)
      // A chunk is taken whole, so the cursor stays on a chunk boundary; a page may
      // hold a few more than `limit`, never fewer than it could.
      jobs.push(...hits)
      cursor = slice.next ?? undefined
      if (slice.next === null || jobs.length >= limit || Date.now() >= deadline) {
        return { jobs, next: slice.next, scanned, total }
      }
    }
  }

  private async match(ids: string[], options: BrowseOptions): Promise<JobSummary[]> {
    if (ids.length === 0) return []
    const text = options.text ?? ''
    let candidates = ids
    if (text !== '') {
      const sizes = this.redis.pipeline()
      for (const id of ids) sizes.hstrlen(this.keys.specs, id)
      const bytes = (await execPipeline(sizes)) as number[]
      const readable = ids.filter((_, i) => (bytes[i] ?? 0) <= SEARCH_SPEC_BYTES)
      const specs =
        readable.length === 0 ? [] : await redisCall(this.redis.hmget(this.keys.specs, ...readable))
      const needle = text.toLowerCase()
      candidates = readable.filter((id, i) => {
        const spec = specs[i]
        return (
          (typeof spec === 'string' && spec.toLowerCase().includes(needle)) ||
          toJobId(this.queue, id).toLowerCase() === needle
        )
      })
    }
    const jobs = (await this.summaries(candidates)).filter((j): j is JobSummary => j !== null)
    return options.type === undefined ? jobs : jobs.filter((j) => j.type === options.type)
  }

  private async total(state: JobState): Promise<number> {
    if (state === 'queued') {
      const lengths = await redisCall(
        Promise.all(this.keys.ready.map((key) => this.redis.llen(key))),
      )
      return lengths.reduce((a, b) => a + b, 0)
    }
    return redisCall(this.redis.zcard(this.indexOf(state)))
  }

  private slice(state: JobState, cursor: string | undefined, count: number): Promise<Slice> {
    return state === 'queued'
      ? this.sliceQueued(cursor, count)
      : this.sliceIndexed(state, cursor, count)
  }

  private indexOf(state: Exclude<JobState, 'queued'>): string {
    const k = this.keys
    return {
      scheduled: k.delayed,
      retrying: k.retry,
      active: k.leases,
      completed: k.completed,
      dead: k.dead,
      cancelled: k.cancelled,
      waiting: k.waiting,
    }[state]
  }

  private async sliceIndexed(
    state: Exclude<JobState, 'queued'>,
    cursor: string | undefined,
    count: number,
  ): Promise<Slice> {
    const key = this.indexOf(state)
    const newestFirst = state === 'completed' || state === 'dead' || state === 'cancelled'
    let start = 0
    if (cursor !== undefined) {
      const { score, id } = parseZsetCursor(cursor)
      const [rank, before] = await redisCall(
        Promise.all([
          newestFirst ? this.redis.zrevrank(key, id) : this.redis.zrank(key, id),
          // The job left the state: go on from where its score would be.
          newestFirst
            ? this.redis.zcount(key, `(${score}`, '+inf')
            : this.redis.zcount(key, '-inf', `(${score}`),
        ]),
      )
      start = rank === null ? before : rank + 1
    }
    const stop = start + count - 1
    const flat = await redisCall(
      newestFirst
        ? this.redis.zrange(key, start, stop, 'REV', 'WITHSCORES')
        : this.redis.zrange(key, start, stop, 'WITHSCORES'),
    )
    const ids: string[] = []
    for (let i = 0; i < flat.length; i += 2) ids.push(flat[i] ?? '')
    const last = ids.length === count ? `${flat[flat.length - 1]}:${ids[ids.length - 1]}` : null
    return { ids, next: last }
  }

  private async sliceQueued(cursor: string | undefined, count: number): Promise<Slice> {
    let [priority, index] = cursor === undefined ? [0, 0] : parseListCursor(cursor)
    const ids: string[] = []
    while (priority < this.keys.ready.length && ids.length < count) {
      const want = count - ids.length
      const got = await redisCall(
        this.redis.lrange(this.keys.ready[priority] ?? '', index, index + want - 1),
      )
      ids.push(...got)
      if (got.length === want) {
        index += want
      } else {
        priority += 1
        index = 0
      }
    }
    const atEnd = priority >= this.keys.ready.length
    return { ids, next: atEnd ? null : `${priority}.${index}` }
  }
}

function parseZsetCursor(cursor: string): { score: string; id: string } {
  const cut = cursor.indexOf(':')
  const score = cursor.slice(0, cut)
  if (cut <= 0 || !Number.isFinite(Number(score))) throw badCursor()
  return { score, id: cursor.slice(cut + 1) }
}

function parseListCursor(cursor: string): [number, number] {
  const match = /^(\d+)\.(\d+)$/.exec(cursor)
  if (!match) throw badCursor()
  return [Number(match[1]), Number(match[2])]
}

function badCursor(): ConveyorError {
  const message = 'not a cursor this state gave out'
  return new ConveyorError('validation_failed', message, {
    details: [{ path: '/cursor', message }],
  })
}
