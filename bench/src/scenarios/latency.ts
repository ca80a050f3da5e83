import { SYSTEMS } from '../systems/index.js'
import { epochMs, percentile, sleep } from '../stats.js'
import { countdown, eachRun, type ScenarioContext } from './context.js'

const RATE_PER_S = 1000
// Jobs sent before the measured window, so that connections, JIT and script caches are warm.
const WARMUP_JOBS = 200
const CONCURRENCY = 10

/**
 * Enqueue-to-handler-start at a steady 1,000 jobs/s: producer and worker in this process,
 * one job per call, the send time in the payload, the gap taken at the handler's start.
 */
export async function runLatency(ctx: ScenarioContext): Promise<void> {
  const seconds = ctx.args.latencySeconds
  const total = RATE_PER_S * seconds
  ctx.log(`latency: ${RATE_PER_S} jobs/s for ${seconds} s, worker concurrency ${CONCURRENCY}`)
  const keys = (['p50', 'p95', 'p99', 'max'] as const).map((p) => ({
    p,
    key: {
      scenario: 'latency',
      label: `latency at ${RATE_PER_S}/s: ${p} ms`,
      unit: 'ms',
      better: 'lower',
    } as const,
  }))
  await eachRun(ctx, { title: 'latency', systems: ctx.systems }, async (name) => {
    const system = SYSTEMS[name]
    const producer = await system.producer({ url: ctx.target.url, retain: false })
    const gaps: number[] = []
    const seen = countdown(WARMUP_JOBS + total, 60_000 + total * 10)
    const consumer = await system.consumer({
      url: ctx.target.url,
      retain: false,
      concurrency: CONCURRENCY,
      onJob: (p) => {
        if (p.i >= 0) gaps.push(epochMs() - p.t)
        seen.tick()
      },
    })
    try {
      consumer.start()
      await paced(WARMUP_JOBS, (i) => producer.add({ i: -1 - i, t: epochMs() }))
      await paced(total, (i) => producer.add({ i, t: epochMs() }))
      await seen.done
      gaps.sort((a, b) => a - b)
      const values = {
        p50: percentile(gaps, 50),
        p95: percentile(gaps, 95),
        p99: percentile(gaps, 99),
        max: gaps[gaps.length - 1] ?? Number.NaN,
      }
      for (const { p, key } of keys) ctx.results.add(key, name, values[p])
      return Object.entries(values)
        .map(([p, v]) => `${p} ${v.toFixed(2)} ms`)
        .join(', ')
    } finally {
      await consumer.close()
      await producer.close()
    }
  })
}

/**
 * Sends `count` jobs at RATE_PER_S: on each ~1 ms timer tick, as many as are due by now.
 * Calls are not awaited one by one, as independent web requests would not be.
 */
async function paced(count: number, send: (i: number) => Promise<void>): Promise<void> {
  const inFlight: Promise<void>[] = []
  const started = performance.now()
  let sent = 0
  while (sent < count) {
    const due = Math.min(count, Math.floor(((performance.now() - started) * RATE_PER_S) / 1000) + 1)
    for (; sent < due; sent++) inFlight.push(send(sent))
    await sleep(1)
  }
  await Promise.all(inFlight)
}
