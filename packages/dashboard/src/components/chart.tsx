import type { ComponentType } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import type { History, HistoryPoint } from '../types.js'

/**
 * A chart whose code is fetched the first time one is shown, so that it adds nothing to
 * the first page load; a box of the same height holds its place meanwhile.
 */
function lazyChart<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined
  return function Chart(props: P) {
    const [Loaded, setLoaded] = useState(() => loaded)
    useEffect(() => {
      if (Loaded) return
      void load().then((component) => {
        loaded = component
        setLoaded(() => component)
      })
    }, [])
    return Loaded ? <Loaded {...props} /> : <div class="chart-placeholder" />
  }
}

/** Completed and failed per bucket. */
export const ThroughputChart = lazyChart<{ points: HistoryPoint[]; label: string }>(() =>
  import('./sparkline.js').then((m) => m.default),
)

/** Run time p50 and p95 per bucket, and wait and run time percentiles per type. */
export const LatencyChart = lazyChart<{ history: History; label: string }>(() =>
  import('./latency-chart.js').then((m) => m.default),
)
