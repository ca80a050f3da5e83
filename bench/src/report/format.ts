import type { SystemName } from '../cli-args.js'
import type { MetricRow } from '../results.js'

/** A compact number: 25.8k, 3.91, 412. */
export function compact(x: number): string {
  if (!Number.isFinite(x)) return '–'
  const abs = Math.abs(x)
  if (abs >= 1e6) return `${(x / 1e6).toFixed(2)}M`
  if (abs >= 1e4) return `${(x / 1e3).toFixed(1)}k`
  if (abs >= 100) return x.toFixed(0)
  if (abs >= 10) return x.toFixed(1)
  return x.toFixed(2)
}

/** The system's median over BullMQ's median in the same row; undefined without BullMQ. */
export function ratioToBullmq(row: MetricRow, system: SystemName): number | undefined {
  const base = row.cells.bullmq?.median
  const value = row.cells[system]?.median
  if (base === undefined || value === undefined || base === 0) return undefined
  return value / base
}
