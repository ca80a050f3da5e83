import type { ComponentType } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import type { HistoryPoint } from '../types.js'

type SparklineProps = { points: HistoryPoint[]; label: string }
let loaded: ComponentType<SparklineProps> | undefined

/** Loaded only by the screens that show a chart: its code is not in the first bundle. */
export function ThroughputChart(props: SparklineProps) {
  const [Sparkline, setSparkline] = useState(() => loaded)
  useEffect(() => {
    if (Sparkline) return
    void import('./sparkline.js').then((m) => {
      loaded = m.default
      setSparkline(() => m.default)
    })
  }, [])
  return Sparkline ? <Sparkline {...props} /> : <div class="chart-placeholder" />
}
