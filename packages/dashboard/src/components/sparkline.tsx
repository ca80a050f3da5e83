import type { HistoryPoint } from '../types.js'
import { H, line, W } from './chart-line.js'

/** Completed and failed per bucket as two lines, with a text summary for screen readers. */
export default function Sparkline({ points, label }: { points: HistoryPoint[]; label: string }) {
  const completed = points.map((p) => p.completed)
  const failed = points.map((p) => p.failed + p.retried)
  const max = Math.max(1, ...completed, ...failed)
  const total = completed.reduce((a, b) => a + b, 0)
  const fails = failed.reduce((a, b) => a + b, 0)
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${label}: ${total} completed, ${fails} failed or retried`}
      >
        <polyline class="line-completed" points={line(completed, max)} fill="none" />
        <polyline
          class="line-failed"
          points={line(failed, max)}
          fill="none"
          stroke-dasharray="6 4"
        />
      </svg>
      <figcaption>
        {label}: <span class="legend-completed">— completed {total}</span>{' '}
        <span class="legend-failed">- - failed or retried {fails}</span>
      </figcaption>
    </figure>
  )
}
