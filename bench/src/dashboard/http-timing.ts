import { percentile } from '../stats.js'

/** GETs `url` and parses the JSON answer; anything but 200 is an error. */
export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url)
  const text = await res.text()
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text.slice(0, 200)}`)
  return JSON.parse(text) as T
}

export async function postJson<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await res.text()
  if (res.status !== 200) throw new Error(`POST ${url}: ${res.status} ${text.slice(0, 200)}`)
  return JSON.parse(text) as T
}

export interface Timing {
  p50: number
  p95: number
  max: number
  samples: number
}

export function timingOf(ms: readonly number[]): Timing {
  const sorted = [...ms].sort((a, b) => a - b)
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    samples: sorted.length,
  }
}

/**
 * The time from sending a GET to having its whole answer read, one request after
 * another on a kept-alive connection.
 */
export async function timeGets(o: { url: string; samples: number }) {
  const ms: number[] = []
  for (let i = 0; i < o.samples; i++) {
    const started = performance.now()
    await getJson(o.url)
    ms.push(performance.now() - started)
  }
  return timingOf(ms)
}

export const fmtTiming = (t: Timing): string =>
  `p50 ${t.p50.toFixed(2)} ms, p95 ${t.p95.toFixed(2)} ms, max ${t.max.toFixed(1)} ms (${t.samples} requests)`
