import type { RedisClient } from './connection.js'
import { ConveyorError } from './errors.js'
import { toJobId } from './job-id.js'
import { stateIndexKey, type QueueKeys } from './keys.js'
import {
  checkGroupName,
  groupedAfter,
  groupedMemberId,
  groupedTotal,
} from './limits/grouped-queue.js'
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
  /** only this group's jobs: read directly for queued jobs, filtered in chunks otherwise */
  group?: string | undefined
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
 *
 * Queued jobs come in two parts: the plain jobs, priority by priority in the order they
 * run, then the grouped ones group by group (by name), each group in the order it runs
 * (limits/grouped-queue.ts). Groups take turns when they run, so this is not the order
 * of the queue as a whole; merging the two would cost a walk over the groups per page.
 * A grouped job's cursor is `g.` and the last member shown, found again in O(log N).
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
    if (options.group !== undefined) checkGroupName(options.group)
    // Queued jobs of one group are a range of their own; in other states a group filters.
    const direct = options.state === 'queued' ? options.group : undefined
    const total = await this.total(options.state, direct)
    const filtered =
      options.type !== undefined ||
      (options.text ?? '') !== '' ||
      (options.group !== undefined && direct === undefined)
    if (!filtered) {
      const slice = await this.slice(options.state, options.cursor, limit, direct)
      const jobs = (await this.summaries(slice.ids)).filter((j): j is JobSummary => j !== null)
      return { jobs, next: slice.next, scanned: slice.ids.length, total }
    }
    const deadline = Date.now() + Math.min(Math.max(options.budgetMs ?? 250, 10), 5_000)
    const jobs: JobSummary[] = []
    let cursor = options.cursor
    let scanned = 0
    for (;;) {
      const slice = await this.slice(options.state, cursor, SCAN_CHUNK, direct)
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
    return jobs.filter(
      (j) =>
        (options.type === undefined || j.type === options.type) &&
        (options.group === undefined || j.group === options.group),
    )
  }

  private async total(state: JobState, group: string | undefined): Promise<number> {
    if (state === 'queued') {
      if (group !== undefined) return groupedTotal(this.redis, this.keys, group)
      const [lengths, grouped] = await Promise.all([
        redisCall(Promise.all(this.keys.ready.map((key) => this.redis.llen(key)))),
        groupedTotal(this.redis, this.keys),
      ])
      return lengths.reduce((a, b) => a + b, grouped)
    }
    return redisCall(this.redis.zcard(this.indexOf(state)))
  }

  private slice(
    state: JobState,
    cursor: string | undefined,
    count: number,
    group: string | undefined,
  ): Promise<Slice> {
    return state === 'queued'
      ? this.sliceQueued(cursor, count, group)
      : this.sliceIndexed(state, cursor, count)
  }

  private indexOf(state: Exclude<JobState, 'queued'>): string {
    return stateIndexKey(this.keys, state)
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

  private async sliceQueued(
    cursor: string | undefined,
    count: number,
    group: string | undefined,
  ): Promise<Slice> {
    const at = parseQueuedCursor(cursor)
    const ids: string[] = []
    if ('priority' in at) {
      // One group's jobs are all grouped: its pages start there.
      let { priority, index } = group === undefined ? at : { priority: PRIORITY_END, index: 0 }
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
      if (priority < this.keys.ready.length) return { ids, next: `${priority}.${index}` }
      if (ids.length === count) {
        const more = (await groupedTotal(this.redis, this.keys)) > 0
        return { ids, next: more ? GROUPED_START : null }
      }
    }
    const want = count - ids.length
    const after = 'after' in at ? at.after : undefined
    const members = await groupedAfter(this.redis, this.keys, { group, after, count: want })
    ids.push(...members.map(groupedMemberId))
    const last = members.at(-1)
    const next =
      members.length === want && last !== undefined
        ? `${GROUPED_START}.${Buffer.from(last).toString('base64url')}`
        : null
    return { ids, next }
  }
}

/** The cursor of the first grouped job: the plain ones are all shown. */
const GROUPED_START = 'g'
const PRIORITY_END = Number.MAX_SAFE_INTEGER

type QueuedCursor = { priority: number; index: number } | { after?: string }

function parseQueuedCursor(cursor: string | undefined): QueuedCursor {
  if (cursor === undefined) return { priority: 0, index: 0 }
  if (cursor === GROUPED_START) return {}
  const grouped = /^g\.([A-Za-z0-9_-]+)$/.exec(cursor)
  if (grouped) {
    const after = Buffer.from(grouped[1] ?? '', 'base64url').toString()
    if (!after.includes('\0')) throw badCursor()
    return { after }
  }
  const [priority, index] = parseListCursor(cursor)
  return { priority, index }
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
