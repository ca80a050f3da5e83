/**
 * Fixed log-scale buckets for wait and run times in the metrics history. Fixed bounds
 * make histograms of any workers and any minutes add up field by field (HINCRBY), and
 * percentiles are read off the sum by interpolating inside one bucket.
 *
 * Bucket 0 holds times up to 1 ms; bucket i (1 … 48) holds (2^((i-1)/2), 2^(i/2)] ms,
 * half an octave wide, so an estimate is off by at most a factor √2 (and usually far
 * less); bucket 49 holds everything above 2^24 ms (about 4.7 hours).
 */
export const LATENCY_BUCKETS = 50
const LAST_BOUNDED = LATENCY_BUCKETS - 2
const STEPS_PER_OCTAVE = 2

/** The bucket a time in ms falls in. */
export function latencyBucket(ms: number): number {
  if (!(ms > 1)) return 0
  const i = Math.ceil(Math.log2(ms) * STEPS_PER_OCTAVE)
  return Math.min(i, LAST_BOUNDED + 1)
}

/** The lower and upper bound (ms) of a bucket; the last one's upper bound is Infinity. */
export function latencyBounds(bucket: number): [number, number] {
  if (bucket <= 0) return [0, 1]
  const lower = 2 ** ((bucket - 1) / STEPS_PER_OCTAVE)
  return bucket > LAST_BOUNDED ? [lower, Infinity] : [lower, 2 ** (bucket / STEPS_PER_OCTAVE)]
}

/** Percentiles (ms) of the times counted in one histogram. */
export interface LatencySummary {
  count: number
  p50: number
  p95: number
  p99: number
}

/**
 * p50, p95 and p99 of a histogram (counts by bucket), or undefined when it is empty.
 * Inside a bucket the rank is interpolated on a log scale (linearly in the first one);
 * in the open last bucket its lower bound is the answer: "at least".
 */
export function summarize(counts: readonly number[]): LatencySummary | undefined {
  const count = counts.reduce((a, b) => a + b, 0)
  if (count === 0) return undefined
  return {
    count,
    p50: percentile(counts, count, 0.5),
    p95: percentile(counts, count, 0.95),
    p99: percentile(counts, count, 0.99),
  }
}

function percentile(counts: readonly number[], count: number, q: number): number {
  const rank = q * count
  let below = 0
  for (let i = 0; i < counts.length; i += 1) {
    const n = counts[i] ?? 0
    if (n === 0 || below + n < rank) {
      below += n
      continue
    }
    const [lower, upper] = latencyBounds(i)
    const f = (rank - below) / n
    const value = i === 0 ? f * upper : upper === Infinity ? lower : lower * (upper / lower) ** f
    return Math.round(value * 100) / 100
  }
  return latencyBounds(counts.length - 1)[0]
}

/** Adds `from` into `into`, bucket by bucket. */
export function addCounts(into: number[], from: readonly number[]): void {
  from.forEach((n, i) => (into[i] = (into[i] ?? 0) + n))
}
