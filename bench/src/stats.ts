/** Median and range of a scenario's repetitions, as the table and the JSON report them. */
export interface Summary {
  median: number
  min: number
  max: number
  runs: number[]
}

export function summarize(runs: readonly number[]): Summary {
  const sorted = [...runs].sort((a, b) => a - b)
  return {
    median: percentile(sorted, 50),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    runs: [...runs],
  }
}

/** Nearest-rank percentile of an ascending array (the median of an even count is interpolated). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  if (p === 50 && sorted.length % 2 === 0) {
    const mid = sorted.length / 2
    return ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
  }
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Wall-clock ms with sub-ms precision, comparable across processes on one machine. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now()
}
