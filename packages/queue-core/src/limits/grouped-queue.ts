import type { RedisClient } from '../connection.js'
import type { QueueKeys } from '../keys.js'
import { redisCall } from '../redis-errors.js'
import { Group } from '../schemas/envelope.js'
import { compileChecker } from '../validation.js'

/**
 * Reads the queued grouped jobs (`gjobs`, lua/includes/groups.lua): one sorted set of
 * score 0 whose members are `group \0 priority(1) seq(15) id`, so that its lex order
 * is group by group, each group in the order it runs. Every read here is a range of
 * that one set, O(log N + page), however many groups there are: no walk over groups.
 */

/** Characters before the id in a member, after the group and its `\0`: priority and seq. */
const MEMBER_ORDER_CHARS = 16

const checkGroup = compileChecker<string>(Group)

/** Throws ConveyorError('validation_failed') at /group unless `group` is a group name. */
export function checkGroupName(group: string): void {
  checkGroup.parse(group, '/group')
}

/** The job id a gjobs member holds. */
export function groupedMemberId(member: string): string {
  return member.slice(member.indexOf('\0') + 1 + MEMBER_ORDER_CHARS)
}

/** The lex bounds of every member (no group) or of one group's members. */
function bounds(group: string | undefined): { min: string; max: string } {
  return group === undefined ? { min: '-', max: '+' } : { min: `[${group}\0`, max: `(${group}\x01` }
}

/** How many jobs wait in gjobs: all of them, or one group's. */
export function groupedTotal(redis: RedisClient, keys: QueueKeys, group?: string): Promise<number> {
  if (group === undefined) return redisCall(redis.zcard(keys.gjobs))
  const { min, max } = bounds(group)
  return redisCall(redis.zlexcount(keys.gjobs, min, max))
}

export interface GroupedAfter {
  /** only this group's jobs */
  group?: string | undefined
  /** the member the previous page ended on; absent: from the first */
  after?: string | undefined
  count: number
}

/** Members after `after` (exclusive), in run order within each group. */
export function groupedAfter(
  redis: RedisClient,
  keys: QueueKeys,
  o: GroupedAfter,
): Promise<string[]> {
  const { min, max } = bounds(o.group)
  const from = o.after === undefined ? min : `(${o.after}`
  return redisCall(redis.zrangebylex(keys.gjobs, from, max, 'LIMIT', 0, o.count))
}

export interface GroupedAt {
  group?: string | undefined
  offset: number
  count: number
}

/**
 * Members from `offset` on (offset paging, for Queue.list): by rank, so a deep page
 * costs what the first does; one group's range starts at the rank of its first member.
 */
export async function groupedAt(
  redis: RedisClient,
  keys: QueueKeys,
  o: GroupedAt,
): Promise<string[]> {
  let start = o.offset
  let last = Number.POSITIVE_INFINITY
  if (o.group !== undefined) {
    const { min, max } = bounds(o.group)
    const [first] = await redisCall(redis.zrangebylex(keys.gjobs, min, max, 'LIMIT', 0, 1))
    if (first === undefined) return []
    const [rank, total] = await redisCall(
      Promise.all([redis.zrank(keys.gjobs, first), redis.zlexcount(keys.gjobs, min, max)]),
    )
    if (rank === null) return []
    start += rank
    last = rank + total - 1
  }
  const stop = Math.min(start + o.count - 1, last)
  if (stop < start) return []
  return redisCall(redis.zrange(keys.gjobs, start, stop))
}
