import { describe, expect, it } from 'vitest'
import { queueKeys } from '../src/keys.js'
import { latencyBucket } from '../src/latency-buckets.js'
import { HistoryRecorder, readHistory } from '../src/metrics-history.js'
import { execPipeline } from '../src/redis-errors.js'
import { harness } from './support/harness.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** The true percentiles of 1 … 1000 ms, each once. */
const TRUTH = { p50: 500, p95: 950, p99: 990 }

describe('wait and run times in the metrics history', () => {
  it('adds up the histograms of two workers and of several minutes, per type', async () => {
    const h = harness()
    const keys = queueKeys(h.prefix, 'history')
    const hour = Date.now() - (Date.now() % HOUR) - HOUR
    const [first, second] = [hour + 10 * MINUTE, hour + 11 * MINUTE]
    const a = new HistoryRecorder()
    const b = new HistoryRecorder()
    // 1 … 1000 ms, odd ones on one worker in one minute, even ones on another in the next
    for (let ms = 1; ms <= 1000; ms += 1) {
      const recorder = ms % 2 === 1 ? a : b
      recorder.recordRun('resize', ms)
      recorder.record('resize', 'completed')
    }
    for (let ms = 1; ms <= 200; ms += 1) b.recordWait('email', ms * 10)
    const pipeline = h.redis.pipeline()
    a.addTo(pipeline, keys, first)
    b.addTo(pipeline, keys, second)
    await execPipeline(pipeline)

    const minutes = await readHistory(h.redis, keys, {
      resolution: 'm',
      fromMs: first,
      toMs: second,
    })
    expect(minutes.points.map((p) => [p.completed, p.runMs?.count])).toEqual([
      [500, 500],
      [500, 500],
    ])
    const run = minutes.total.runMs
    expect(run?.count).toBe(1000)
    for (const q of ['p50', 'p95', 'p99'] as const) {
      const truth = TRUTH[q]
      // within the precision of the buckets: the estimate falls in the true value's bucket
      expect(latencyBucket(run?.[q] ?? 0), `${q} ${run?.[q]} for ${truth}`).toBe(
        latencyBucket(truth),
      )
      // and, on a smooth distribution, interpolation within it comes much closer
      expect(Math.abs((run?.[q] ?? 0) - truth) / truth, q).toBeLessThan(0.05)
    }
    expect(minutes.total.byType.resize?.runMs).toEqual(run)
    expect(minutes.total.byType.resize?.waitMs).toBeUndefined()
    const wait = minutes.total.byType.email?.waitMs
    expect(wait?.count).toBe(200)
    expect(latencyBucket(wait?.p50 ?? 0)).toBe(latencyBucket(1000))
    expect(latencyBucket(wait?.p99 ?? 0)).toBe(latencyBucket(1980))
    expect(minutes.total.byType.email).toMatchObject({ completed: 0, failed: 0, retried: 0 })

    // The hour bucket got the same times in one field per bucket: the same percentiles.
    const hours = await readHistory(h.redis, keys, { resolution: 'h', fromMs: hour, toMs: hour })
    expect(hours.points).toHaveLength(1)
    expect(hours.points[0]?.runMs).toEqual(run)
    expect(hours.points[0]?.waitMs).toEqual(minutes.total.waitMs)
  })

  it('keeps a bounded number of fields per type and minute, however many jobs', async () => {
    const h = harness()
    const keys = queueKeys(h.prefix, 'history')
    const recorder = new HistoryRecorder()
    for (let i = 0; i < 20_000; i += 1) {
      recorder.recordRun('task', i ** 1.7)
      recorder.recordWait('task', i)
    }
    const now = Date.now()
    const pipeline = h.redis.pipeline()
    recorder.addTo(pipeline, keys, now)
    await execPipeline(pipeline)
    const fields = await h.redis.hlen(`${keys.history}:m:${now - (now % HOUR)}`)
    // 50 buckets each for wait and run times
    expect(fields).toBeLessThanOrEqual(100)
    const { total } = await readHistory(h.redis, keys, { resolution: 'm', fromMs: now, toMs: now })
    expect(total.runMs?.count).toBe(20_000)
    // the open last bucket (over 2^24 ms) answers its lower bound: "at least"
    expect(total.runMs?.p99).toBe(2 ** 24)
  })
})
