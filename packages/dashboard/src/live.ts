import { useEffect, useRef } from 'preact/hooks'
import { apiBase } from './api.js'

export interface LiveEvent {
  queue: string
  event: string
  ids: string[]
  progress?: unknown
}

type Listener = (event: LiveEvent | null) => void

/** After this many failed connections in a row the tab polls instead. */
const MAX_FAILURES = 3
const POLL_MS = 5_000
/** A view refreshes at most once per this. */
const COALESCE_MS = 1_000

/**
 * One server-sent-events stream per tab, shared by every view (the API follows each
 * queue once, whatever the number of tabs). Closed while the tab is hidden; after
 * repeated failures it falls back to polling. A listener given null should refresh
 * whatever it shows (a poll tick, or the tab coming back).
 */
class LiveHub {
  private source: EventSource | null = null
  private readonly listeners = new Set<Listener>()
  private failures = 0
  private poller: number | undefined
  mode: 'live' | 'polling' | 'paused' = 'paused'

  constructor() {
    document.addEventListener('visibilitychange', () => this.sync(true))
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    this.sync(false)
    return () => {
      this.listeners.delete(listener)
      this.sync(false)
    }
  }

  private emit(event: LiveEvent | null): void {
    for (const l of this.listeners) l(event)
  }

  private sync(visibilityChanged: boolean): void {
    const want = this.listeners.size > 0 && document.visibilityState === 'visible'
    if (!want) {
      this.stop()
      return
    }
    if (visibilityChanged) this.emit(null)
    if (this.source !== null || this.poller !== undefined) return
    if (this.failures >= MAX_FAILURES || typeof EventSource === 'undefined') {
      this.mode = 'polling'
      this.poller = window.setInterval(() => this.emit(null), POLL_MS)
      return
    }
    this.mode = 'live'
    const source = new EventSource(`${apiBase}events`)
    source.addEventListener('open', () => (this.failures = 0))
    source.addEventListener('job', (e) => {
      try {
        this.emit(JSON.parse((e as MessageEvent<string>).data) as LiveEvent)
      } catch {
        // a malformed event: ignored
      }
    })
    source.addEventListener('error', () => {
      if (source.readyState !== EventSource.CLOSED) return
      this.failures += 1
      this.source = null
      this.sync(false)
    })
    this.source = source
  }

  private stop(): void {
    this.source?.close()
    this.source = null
    window.clearInterval(this.poller)
    this.poller = undefined
    this.mode = 'paused'
  }
}

let hub: LiveHub | undefined

/**
 * Calls `refresh` when an event `matches` (or on a poll tick), at most once a second.
 */
export function useLive(matches: (event: LiveEvent) => boolean, refresh: () => void): void {
  const latest = useRef({ matches, refresh })
  latest.current = { matches, refresh }
  useEffect(() => {
    hub ??= new LiveHub()
    let timer: number | undefined
    let last = 0
    const unsubscribe = hub.subscribe((event) => {
      if (event !== null && !latest.current.matches(event)) return
      if (timer !== undefined) return
      const wait = Math.max(0, last + COALESCE_MS - Date.now())
      timer = window.setTimeout(() => {
        timer = undefined
        last = Date.now()
        latest.current.refresh()
      }, wait)
    })
    return () => {
      window.clearTimeout(timer)
      unsubscribe()
    }
  }, [])
}
