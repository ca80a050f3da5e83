import type { ChainableCommander } from 'ioredis'
import type { RedisClient } from './connection.js'
import { historyBucketKey, type QueueKeys } from './keys.js'
import { execPipeline } from './redis-errors.js'

export type Outcome = 'completed' | 'failed' | 'retried'
const OUTCOMES: readonly Outcome[] = ['completed', 'failed', 'retried']

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
/** Minute buckets are kept 48 hours, hour buckets 30 days (plus one bucket of slack each). */
export const HISTORY_RETENTION = { m: 49 * HOUR, h: 31 * DAY } as const

/**
 * A worker's outcome counts since its last heartbeat: the hot path only bumps a number
 * in a Map; the heartbeat adds them to the history buckets in one pipeline.
 */
export class OutcomeCounter {
  private counts = new Map<string, number>()

  record(type: string, outcome: Outcome): void {
    const key = `${type}\u0000${outcome}`
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1)
  }

  /**
   * Adds the counts to the buckets of `now`, as commands on `pipeline`, and starts
   * afresh. Returns how to put them back should the pipeline fail, or undefined when
   * there was nothing to add.
   */
  addTo(pipeline: ChainableCommander, keys: QueueKeys, now = Date.now()): (() => void) | undefined {
    if (this.counts.size === 0) return undefined
    const counts = this.counts
    this.counts = new Map()
    const minute = now - (now % MINUTE)
    const hour = now - (now % HOUR)
    const day = now - (now % DAY)
    const minutes = historyBucketKey(keys, 'm', hour)
    const hours = historyBucketKey(keys, 'h', day)
    for (const [key, n] of counts) {
      const [type, outcome] = key.split('\u0000')
      pipeline.hincrby(minutes, `${minute}:${type}:${outcome}`, n)
      pipeline.hincrby(hours, `${hour}:${type}:${outcome}`, n)
    }
    pipeline.pexpire(minutes, HISTORY_RETENTION.m).pexpire(hours, HISTORY_RETENTION.h)
    return () => {
      for (const [key, n] of counts) this.counts.set(key, (this.counts.get(key) ?? 0) + n)
    }
  }
}

export interface HistoryPoint {
  /** the bucket's start, ms since the epoch */
  at: number
  completed: number
  failed: number
  retried: number
  /** the same counts per job type */
  byType: Record<string, Record<Outcome, number>>
}

/**
 * The buckets between `fromMs` and `toMs` at one resolution: 'm' (a minute each, the
 * last 48 hours) or 'h' (an hour each, the last 30 days). Every bucket comes, empty ones
 * with zeros, oldest first.
 */
export async function readHistory(
  redis: RedisClient,
  keys: QueueKeys,
  range: { resolution: 'm' | 'h'; fromMs: number; toMs: number },
): Promise<HistoryPoint[]> {
  const step = range.resolution === 'm' ? MINUTE : HOUR
  const keyStep = range.resolution === 'm' ? HOUR : DAY
  const from = range.fromMs - (range.fromMs % step)
  const points = new Map<number, HistoryPoint>()
  for (let at = from; at <= range.toMs; at += step) {
    points.set(at, { at, completed: 0, failed: 0, retried: 0, byType: {} })
  }
  const pipeline = redis.pipeline()
  const first = from - (from % keyStep)
  for (let at = first; at <= range.toMs; at += keyStep) {
    pipeline.hgetall(historyBucketKey(keys, range.resolution, at))
  }
  const hashes = (await execPipeline(pipeline)) as Record<string, string>[]
  for (const hash of hashes) {
    for (const [field, value] of Object.entries(hash)) {
      const first = field.indexOf(':')
      const last = field.lastIndexOf(':')
      const point = points.get(Number(field.slice(0, first)))
      const outcome = field.slice(last + 1) as Outcome
      if (!point || !OUTCOMES.includes(outcome)) continue
      const type = field.slice(first + 1, last)
      const n = Number(value)
      point[outcome] += n
      const byType = (point.byType[type] ??= { completed: 0, failed: 0, retried: 0 })
      byType[outcome] += n
    }
  }
  return [...points.values()]
}
