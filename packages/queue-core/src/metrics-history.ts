import type { ChainableCommander } from 'ioredis'
import type { RedisClient } from './connection.js'
import { historyBucketKey, type QueueKeys } from './keys.js'
import {
  addCounts,
  LATENCY_BUCKETS,
  latencyBucket,
  summarize,
  type LatencySummary,
} from './latency-buckets.js'
import { execPipeline } from './redis-errors.js'

export type Outcome = 'completed' | 'failed' | 'retried'
const OUTCOMES: readonly Outcome[] = ['completed', 'failed', 'retried']
/** Field suffix of a latency bucket: `w<bucket>` wait times, `r<bucket>` run times. */
const LATENCY_FIELD = /^([wr])(\d+)$/

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
/** Minute buckets are kept 48 hours, hour buckets 30 days (plus one bucket of slack each). */
export const HISTORY_RETENTION = { m: 49 * HOUR, h: 31 * DAY } as const

/**
 * A worker's outcome counts and wait and run time histograms since its last heartbeat:
 * the hot path only bumps a number in a Map; the heartbeat adds them to the history
 * buckets in one pipeline.
 */
export class HistoryRecorder {
  private counts = new Map<string, number>()

  record(type: string, outcome: Outcome): void {
    this.bump(type, outcome)
  }

  /** From due (enqueue, delay or retry time) to the handler's start. */
  recordWait(type: string, ms: number): void {
    this.bump(type, `w${latencyBucket(ms)}`)
  }

  /** The handler's wall time. */
  recordRun(type: string, ms: number): void {
    this.bump(type, `r${latencyBucket(ms)}`)
  }

  private bump(type: string, field: string): void {
    const key = `${type}\u0000${field}`
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
      const [type, field] = key.split('\u0000')
      pipeline.hincrby(minutes, `${minute}:${type}:${field}`, n)
      pipeline.hincrby(hours, `${hour}:${type}:${field}`, n)
    }
    pipeline.pexpire(minutes, HISTORY_RETENTION.m).pexpire(hours, HISTORY_RETENTION.h)
    return () => {
      for (const [key, n] of counts) this.counts.set(key, (this.counts.get(key) ?? 0) + n)
    }
  }
}

/** Outcome counts, with wait and run time percentiles when any job started or ran. */
export interface HistoryCounts extends Record<Outcome, number> {
  /** from due (enqueue, delay or retry time) to start */
  waitMs?: LatencySummary
  /** the handler's wall time */
  runMs?: LatencySummary
}

export interface HistoryPoint extends HistoryCounts {
  /** the bucket's start, ms since the epoch */
  at: number
  /** the same per job type */
  byType: Record<string, HistoryCounts>
}

/** A span of history: its buckets, and their sum (percentiles of all their times together). */
export interface HistoryWindow {
  points: HistoryPoint[]
  total: HistoryCounts & { byType: Record<string, HistoryCounts> }
}

/** Counts and histograms being added up, before percentiles are read off them. */
class Tally {
  readonly counts: Record<Outcome, number> = { completed: 0, failed: 0, retried: 0 }
  wait: number[] | undefined
  run: number[] | undefined

  add(suffix: string, n: number): void {
    if ((OUTCOMES as readonly string[]).includes(suffix)) {
      this.counts[suffix as Outcome] += n
      return
    }
    const latency = LATENCY_FIELD.exec(suffix)
    const bucket = Number(latency?.[2])
    if (!latency || bucket >= LATENCY_BUCKETS) return
    const histogram = latency[1] === 'w' ? (this.wait ??= zeros()) : (this.run ??= zeros())
    histogram[bucket] = (histogram[bucket] ?? 0) + n
  }

  merge(other: Tally): void {
    for (const o of OUTCOMES) this.counts[o] += other.counts[o]
    if (other.wait) addCounts((this.wait ??= zeros()), other.wait)
    if (other.run) addCounts((this.run ??= zeros()), other.run)
  }

  view(): HistoryCounts {
    const out: HistoryCounts = { ...this.counts }
    const waitMs = this.wait && summarize(this.wait)
    const runMs = this.run && summarize(this.run)
    if (waitMs) out.waitMs = waitMs
    if (runMs) out.runMs = runMs
    return out
  }
}

const zeros = () => new Array<number>(LATENCY_BUCKETS).fill(0)

/** A bucket's or a window's tallies: all types together and each type. */
class Tallies {
  readonly all = new Tally()
  readonly byType = new Map<string, Tally>()

  add(type: string, suffix: string, n: number): void {
    this.all.add(suffix, n)
    this.of(type).add(suffix, n)
  }

  merge(other: Tallies): void {
    this.all.merge(other.all)
    for (const [type, tally] of other.byType) this.of(type).merge(tally)
  }

  view(): HistoryCounts & { byType: Record<string, HistoryCounts> } {
    const byType: Record<string, HistoryCounts> = {}
    for (const [type, tally] of this.byType) byType[type] = tally.view()
    return { ...this.all.view(), byType }
  }

  private of(type: string): Tally {
    let tally = this.byType.get(type)
    if (!tally) this.byType.set(type, (tally = new Tally()))
    return tally
  }
}

/**
 * The buckets between `fromMs` and `toMs` at one resolution: 'm' (a minute each, the
 * last 48 hours) or 'h' (an hour each, the last 30 days), and their sum. Every bucket
 * comes, empty ones with zeros, oldest first.
 */
export async function readHistory(
  redis: RedisClient,
  keys: QueueKeys,
  range: { resolution: 'm' | 'h'; fromMs: number; toMs: number },
): Promise<HistoryWindow> {
  const step = range.resolution === 'm' ? MINUTE : HOUR
  const keyStep = range.resolution === 'm' ? HOUR : DAY
  const from = range.fromMs - (range.fromMs % step)
  const buckets = new Map<number, Tallies>()
  for (let at = from; at <= range.toMs; at += step) buckets.set(at, new Tallies())
  const pipeline = redis.pipeline()
  const first = from - (from % keyStep)
  for (let at = first; at <= range.toMs; at += keyStep) {
    pipeline.hgetall(historyBucketKey(keys, range.resolution, at))
  }
  const hashes = (await execPipeline(pipeline)) as Record<string, string>[]
  for (const hash of hashes) {
    for (const [field, value] of Object.entries(hash)) {
      // <bucket start>:<type>:<outcome or latency bucket>; a type may hold colons
      const first = field.indexOf(':')
      const last = field.lastIndexOf(':')
      const bucket = buckets.get(Number(field.slice(0, first)))
      if (!bucket || last <= first) continue
      bucket.add(field.slice(first + 1, last), field.slice(last + 1), Number(value))
    }
  }
  const total = new Tallies()
  const points = [...buckets].map(([at, tallies]) => {
    total.merge(tallies)
    return { at, ...tallies.view() }
  })
  return { points, total: total.view() }
}
