import type { Histogram } from '@conveyor/queue-core'

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

export interface HistogramFamily {
  name: string
  help: string
  /** one histogram (in ms) per value of the label */
  series: { labels: Record<string, string>; histogram: Histogram }[]
}

/**
 * Prometheus text for histograms that arrive already bucketed (queue-core keeps them
 * in Redis, summed over every worker): prom-client's Histogram can only observe single
 * values, so these lines are written here. Buckets become cumulative and seconds.
 */
export function histogramText(family: HistogramFamily): string {
  const lines = [`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} histogram`]
  for (const { labels, histogram } of family.series) {
    const base = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    const withLe = (le: string) => `{${[...base, `le="${le}"`].join(',')}}`
    const plain = base.length > 0 ? `{${base.join(',')}}` : ''
    let cumulative = 0
    histogram.bucketsMs.forEach((upperMs, i) => {
      cumulative += histogram.counts[i] ?? 0
      lines.push(`${family.name}_bucket${withLe(String(upperMs / 1000))} ${cumulative}`)
    })
    lines.push(`${family.name}_bucket${withLe('+Inf')} ${histogram.count}`)
    lines.push(`${family.name}_sum${plain} ${histogram.sumMs / 1000}`)
    lines.push(`${family.name}_count${plain} ${histogram.count}`)
  }
  return `${lines.join('\n')}\n`
}
