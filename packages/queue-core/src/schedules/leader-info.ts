import type { RedisClient } from '../connection.js'
import type { SchedulerKeys } from './schedule-keys.js'

/** Who leads the schedulers, from the lease the leader holds. */
export interface LeaderInfo {
  /** the scheduler instance, host:pid:random unless configured otherwise */
  holder: string
  /** its fencing token: every slot claim carries it, a newer leader's refuses older ones */
  token: number
  /** ms since the lease with this token was acquired (Redis's clock); null if unknown */
  heldForMs: number | null
  /** ms until the lease runs out unless renewed */
  expiresInMs: number
}

/** Reads the lease and when it was acquired; null when no scheduler holds it. */
export async function readLeaderInfo(
  redis: RedisClient,
  keys: SchedulerKeys,
): Promise<LeaderInfo | null> {
  const [lease, ttl, since, time] = await Promise.all([
    redis.get(keys.lease),
    redis.pttl(keys.lease),
    redis.get(keys.leaderSince),
    redis.time(),
  ])
  const m = lease === null ? null : /^(.*)\|(\d+)$/.exec(lease)
  if (!m) return null
  const token = Number(m[2])
  const [sinceToken, sinceMs] = (since ?? '').split('|').map(Number)
  const nowMs = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000)
  return {
    holder: m[1] ?? '',
    token,
    heldForMs: sinceToken === token && sinceMs !== undefined ? nowMs - sinceMs : null,
    expiresInMs: Math.max(0, ttl),
  }
}
