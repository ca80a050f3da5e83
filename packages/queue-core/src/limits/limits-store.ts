import type { RedisClient } from '../connection.js'
import type { QueueKeys } from '../keys.js'
import { redisCall } from '../redis-errors.js'
import { Group } from '../schemas/envelope.js'
import type { JobRecord, LimitKind } from '../schemas/job-record.js'
import type { QueueScripts } from '../scripts.js'
import { compileChecker } from '../validation.js'
import {
  decodeGroupLimits,
  decodeQueueLimits,
  decodeRate,
  encodeGroupLimits,
  encodeQueueLimits,
} from './limits-codec.js'
import { GroupLimits, QueueLimits, type GroupSummary } from './limits-schema.js'

/** lua/includes/groups.lua's GROUP_FOREVER: the gwait score of a group held by its concurrency. */
const GROUP_FOREVER = 1_000_000_000_000_000

const checkQueue = compileChecker<QueueLimits>(QueueLimits)
const checkGroupLimits = compileChecker<GroupLimits>(GroupLimits)
const checkGroup = compileChecker<string>(Group)

/** What waits on a limit now (LimitsStore.waiting). */
export interface LimitWaiting {
  /** groups held back by their concurrency */
  groupConcurrency: number
  /** groups held back by their rate */
  groupRate: number
  /** queued jobs of the groups held back by their concurrency */
  jobsOnGroupConcurrency: number
  /** queued jobs of the groups held back by their rate */
  jobsOnGroupRate: number
  /** whether the queue's rate is used up */
  queueRate: boolean
}

export interface GroupPage {
  groups: GroupSummary[]
  /** pass it back for the next page; null after the last one */
  cursor: string | null
}

/**
 * A queue's limits and groups (README "Groups and limits"): stored in Redis, so every
 * worker applies a change at its next reserve. Inputs are checked first; a bad one
 * throws ConveyorError('validation_failed') naming the field, nothing changed.
 */
export class LimitsStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: QueueKeys,
    private readonly scripts: QueueScripts,
  ) {}

  async get(): Promise<QueueLimits> {
    const [rate, gconc, grate] = await redisCall(
      this.redis.hmget(this.keys.limits, 'rate', 'gconc', 'grate'),
    )
    return decodeQueueLimits(rate ?? null, gconc ?? null, grate ?? null)
  }

  /** Replaces the queue's limits as a whole (what `limits` leaves out is no limit). */
  async set(limits: QueueLimits): Promise<QueueLimits> {
    checkQueue.parse(limits, '')
    await this.scripts.setLimits('queue', '', encodeQueueLimits(limits))
    return this.get()
  }

  async clear(): Promise<void> {
    await this.scripts.setLimits('queue', '', ['', '', ''])
  }

  /** One group's override, or null when it has none (the queue's defaults apply). */
  async getGroup(group: string): Promise<GroupLimits | null> {
    checkGroup.parse(group, '/group')
    const raw = await redisCall(this.redis.hget(this.keys.limits, `o:${group}`))
    return decodeGroupLimits(raw) ?? null
  }

  async setGroup(group: string, limits: GroupLimits): Promise<GroupLimits> {
    checkGroup.parse(group, '/group')
    checkGroupLimits.parse(limits, '')
    await this.scripts.setLimits('group', group, [encodeGroupLimits(limits)])
    return (await this.getGroup(group)) ?? {}
  }

  async clearGroup(group: string): Promise<void> {
    checkGroup.parse(group, '/group')
    await this.scripts.setLimits('group', group, [''])
  }

  /**
   * The limit a queued job waits on now, if any: its group's concurrency or rate (where
   * the last reserve left the group), else the queue's rate when it is used up.
   */
  async waitingOn(job: JobRecord): Promise<LimitKind | undefined> {
    if (job.state !== 'queued') return undefined
    const [status, rate] = await redisCall(
      this.redis
        .pipeline()
        .hget(this.keys.groups, `s:${job.group ?? ''}`)
        .hget(this.keys.limits, 'rate')
        .exec()
        .then((r) => (r ?? []).map(([, v]) => v as string | null)),
    )
    if (job.group !== undefined && status === 'c') return 'group_concurrency'
    if (job.group !== undefined && status === 'w') return 'group_rate'
    const queueRate = decodeRate(rate)
    if (!queueRate) return undefined
    const [[, time], [, used]] = (await redisCall(
      this.redis.pipeline().time().zcard(this.keys.qrate).exec(),
    )) as [[unknown, [string, string]], [unknown, number]]
    if (used < queueRate.max) return undefined
    const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000)
    const inWindow = await redisCall(
      this.redis.zcount(this.keys.qrate, `(${now - queueRate.perMs}`, '+inf'),
    )
    return inWindow >= queueRate.max ? 'queue_rate' : undefined
  }

  /**
   * How many groups wait on their concurrency and on their rate (where the last
   * reserve left them), how many queued jobs those groups hold, and whether the
   * queue's rate is used up: O(log groups). The job counts are kept by the scripts
   * (lua/includes/groups.lua), so reading them is one HMGET.
   */
  async waiting(): Promise<LimitWaiting> {
    const [conc, rate, jobs] = await redisCall(
      Promise.all([
        this.redis.zcount(this.keys.gwait, GROUP_FOREVER, '+inf'),
        this.redis.zcount(this.keys.gwait, '-inf', `(${GROUP_FOREVER}`),
        this.redis.hmget(this.keys.groups, 'held:c', 'held:w'),
      ]),
    )
    const queueRate = (await this.waitingOn({ state: 'queued' } as JobRecord)) === 'queue_rate'
    return {
      groupConcurrency: conc,
      groupRate: rate,
      jobsOnGroupConcurrency: Math.max(0, Number(jobs[0] ?? 0)),
      jobsOnGroupRate: Math.max(0, Number(jobs[1] ?? 0)),
      queueRate,
    }
  }

  /**
   * Groups with queued or running jobs, by name, `limit` at a time after `cursor`:
   * one range read and one HMGET per page, whatever the number of groups.
   */
  async groups(o: { cursor?: string | undefined; limit?: number } = {}): Promise<GroupPage> {
    const limit = Math.max(1, Math.min(o.limit ?? 100, 1000))
    const from = o.cursor ? `(${o.cursor}` : '-'
    // One more than the page: a full last page then ends with a null cursor.
    const read = await redisCall(
      this.redis.zrangebylex(this.keys.gindex, from, '+', 'LIMIT', 0, limit + 1),
    )
    const more = read.length > limit
    const names = more ? read.slice(0, limit) : read
    if (names.length === 0) return { groups: [], cursor: null }
    const fields = names.flatMap((g) => [`q:${g}`, `r:${g}`])
    const counts = await redisCall(this.redis.hmget(this.keys.groups, ...fields))
    const groups = names.map((group, i) => ({
      group,
      queued: Math.max(0, Number(counts[2 * i] ?? 0)),
      running: Math.max(0, Number(counts[2 * i + 1] ?? 0)),
    }))
    return { groups, cursor: more ? (names.at(-1) ?? null) : null }
  }
}
