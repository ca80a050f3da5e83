import type { ChainableCommander } from 'ioredis'
import type { QueueCounts } from './schemas/job-record.js'

/** Upper bounds (ms) of the histogram buckets; a last, unbounded bucket follows. */
export const HISTOGRAM_BUCKETS_MS = [
  5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000,
] as const

export interface Histogram {
  /** upper bounds, ascending */
  bucketsMs: number[]
  /** observations per bucket (not cumulative); the last entry is the +Inf bucket */
  counts: number[]
  sumMs: number
  count: number
}

export interface QueueMetrics {
  counts: QueueCounts
  /** how long the job at the head of the queue has been due; null when none is queued */
  oldestQueuedAgeMs: number | null
  totals: { completed: number; failed: number; retried: number; dead: number; stalled: number }
  /** handler wall time */
  durationMs: Histogram
  /** from due (enqueue, delay or retry time) to start */
  waitMs: Histogram
}

/**
 * A worker's local histograms, added into the queue's `stats` hash on each heartbeat
 * (one HINCRBY per touched bucket), so that any process can read the totals of all
 * workers without the hot path paying a Redis write per job.
 */
export class HistogramRecorder {
  private duration = new Array<number>(HISTOGRAM_BUCKETS_MS.length + 1).fill(0)
  private wait = new Array<number>(HISTOGRAM_BUCKETS_MS.length + 1).fill(0)
  private durationSum = 0
  private waitSum = 0

  /** A handler's wall time. */
  recordDuration(durationMs: number): void {
    const b = bucketOf(durationMs)
    this.duration[b] = (this.duration[b] ?? 0) + 1
    this.durationSum += durationMs
  }

  /** From due to the handler's start. */
  recordWait(waitMs: number): void {
    const b = bucketOf(waitMs)
    this.wait[b] = (this.wait[b] ?? 0) + 1
    this.waitSum += Math.max(0, waitMs)
  }

  /**
   * Adds what was recorded since the last call to `statsKey`, as commands on `pipeline`,
   * and starts afresh. Returns how to put it back should the pipeline fail, or undefined
   * when there was nothing to add.
   */
  addTo(pipeline: ChainableCommander, statsKey: string): (() => void) | undefined {
    const fields: [string, number][] = []
    this.duration.forEach((n, i) => n > 0 && fields.push([`d${i}`, n]))
    this.wait.forEach((n, i) => n > 0 && fields.push([`w${i}`, n]))
    if (fields.length === 0) return undefined
    const dSum = Math.round(this.durationSum)
    const wSum = Math.round(this.waitSum)
    const snapshot = { duration: this.duration, wait: this.wait }
    this.duration = this.duration.map(() => 0)
    this.wait = this.wait.map(() => 0)
    this.durationSum = 0
    this.waitSum = 0
    for (const [field, n] of fields) pipeline.hincrby(statsKey, field, n)
    pipeline.hincrby(statsKey, 'dsum', dSum).hincrby(statsKey, 'wsum', wSum)
    return () => {
      snapshot.duration.forEach((n, i) => (this.duration[i] = (this.duration[i] ?? 0) + n))
      snapshot.wait.forEach((n, i) => (this.wait[i] = (this.wait[i] ?? 0) + n))
      this.durationSum += dSum
      this.waitSum += wSum
    }
  }
}

function bucketOf(ms: number): number {
  for (let i = 0; i < HISTOGRAM_BUCKETS_MS.length; i += 1) {
    if (ms <= (HISTOGRAM_BUCKETS_MS[i] ?? Infinity)) return i
  }
  return HISTOGRAM_BUCKETS_MS.length
}

/** Reads the histograms and totals back out of a `stats` hash. */
export function decodeStats(
  raw: Record<string, string>,
): Pick<QueueMetrics, 'totals' | 'durationMs' | 'waitMs'> {
  const num = (field: string) => Number(raw[field] ?? 0)
  const histogram = (prefix: 'd' | 'w'): Histogram => {
    const counts = Array.from({ length: HISTOGRAM_BUCKETS_MS.length + 1 }, (_, i) =>
      num(`${prefix}${i}`),
    )
    return {
      bucketsMs: [...HISTOGRAM_BUCKETS_MS],
      counts,
      sumMs: num(`${prefix}sum`),
      count: counts.reduce((a, b) => a + b, 0),
    }
  }
  return {
    totals: {
      completed: num('completed'),
      failed: num('failed'),
      retried: num('retried'),
      dead: num('dead'),
      stalled: num('stalled'),
    },
    durationMs: histogram('d'),
    waitMs: histogram('w'),
  }
}
