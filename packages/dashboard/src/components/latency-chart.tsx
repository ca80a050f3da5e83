import { millis } from '../format.js'
import type { History, HistoryCounts } from '../types.js'
import { H, line, W } from './chart-line.js'

function Row({ name, counts }: { name: string; counts: HistoryCounts }) {
  const { waitMs, runMs } = counts
  return (
    <tr>
      <th scope="row">{name}</th>
      <td data-label="ran">{runMs?.count ?? 0}</td>
      <td data-label="wait p50 / p95 / p99">
        {millis(waitMs?.p50)} / {millis(waitMs?.p95)} / {millis(waitMs?.p99)}
      </td>
      <td data-label="run p50 / p95 / p99">
        {millis(runMs?.p50)} / {millis(runMs?.p95)} / {millis(runMs?.p99)}
      </td>
    </tr>
  )
}

/**
 * Run time p50 and p95 per bucket as two lines, and a table of wait and run time
 * percentiles over the whole span, all types and each type.
 */
export default function LatencyChart({ history, label }: { history: History; label: string }) {
  const { points, total } = history
  const p50 = points.map((p) => p.runMs?.p50)
  const p95 = points.map((p) => p.runMs?.p95)
  const max = Math.max(1, ...p95.map((v) => v ?? 0))
  const types = Object.entries(total.byType).sort(([a], [b]) => a.localeCompare(b))
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${label}: run time p50 ${millis(total.runMs?.p50)}, p95 ${millis(total.runMs?.p95)}`}
      >
        <polyline class="line-completed" points={line(p50, max)} fill="none" />
        <polyline class="line-slow" points={line(p95, max)} fill="none" stroke-dasharray="6 4" />
      </svg>
      <figcaption>
        {label}: <span class="legend-completed">— run time p50</span>{' '}
        <span class="legend-slow">- - p95</span> (top: {millis(max)})
      </figcaption>
      <table class="stack" data-testid="latency-table">
        <thead>
          <tr>
            <th scope="col">type</th>
            <th scope="col">ran</th>
            <th scope="col">wait p50 / p95 / p99</th>
            <th scope="col">run p50 / p95 / p99</th>
          </tr>
        </thead>
        <tbody>
          <Row name="all types" counts={total} />
          {types.map(([type, counts]) => (
            <Row key={type} name={type} counts={counts} />
          ))}
        </tbody>
      </table>
    </figure>
  )
}
