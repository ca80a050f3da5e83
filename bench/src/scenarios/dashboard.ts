import { fileURLToPath } from 'node:url'
import { startApiServer } from '../api-server.js'
import { LOAD_QUEUES } from '../dashboard/catalog.js'
import { DEAD_QUEUE, fillDead, fillQueued, QUEUED_QUEUE } from '../dashboard/fill.js'
import { cpuCost, fmtCpu } from '../dashboard/cpu-cost.js'
import {
  fmtTiming,
  getJson,
  postJson,
  timeGets,
  timingOf,
  type Timing,
} from '../dashboard/http-timing.js'
import { formatSlow, SLOW_US, watchSlowCommands } from '../dashboard/slowlog.js'
import type { MetricKey } from '../results.js'
import type { ScenarioContext } from './context.js'

const SWAP = fileURLToPath(new URL('../dashboard/catalog-swap.mjs', import.meta.url))
const QUEUES = LOAD_QUEUES + 2
const PAGE = 50
// Pages of the largest size the API gives while walking to the deep cursors.
const WALK_PAGE = 200
const SAMPLES = 200
const WARMUP = 20

interface Page {
  jobs: unknown[]
  next: string | null
  total: number
}

const ms = (label: string): MetricKey => ({
  scenario: 'dashboard',
  label: `dashboard, ${label}`,
  unit: 'ms',
  better: 'lower',
})

/** 1000000 -> "1M", 20000 -> "20k", 999950 -> "999,950": row labels stay short. */
function count(n: number): string {
  if (n % 1_000_000 === 0) return `${n / 1_000_000}M`
  if (n % 1_000 === 0) return `${n / 1_000}k`
  return n.toLocaleString('en-US')
}

/**
 * The operator's dashboard (issue 15), Conveyor only: browsing a queue of N queued jobs
 * (first page, and pages N/2 and N−50 deep by cursors the API gave out), the overview of
 * 50 queues, and a bulk retry of N/10 dead jobs; Redis's SLOWLOG counts every command
 * over 10 ms meanwhile. One filled Redis for the whole scenario, whatever --reps says.
 */
export async function runDashboard(ctx: ScenarioContext): Promise<void> {
  if (!ctx.systems.includes('conveyor')) return
  const n = ctx.args.dashboardJobs
  const dead = Math.max(PAGE, Math.floor(n / 10))
  ctx.log(
    `dashboard: ${n} queued jobs in "${QUEUED_QUEUE}" (paused), ${dead} dead in "${DEAD_QUEUE}", ${QUEUES} queues`,
  )
  ctx.results.notes.push(
    `dashboard: Conveyor only (no peer has this API); the API runs with the bench's job catalog of ${QUEUES} queues (bench/src/dashboard/catalog.ts).`,
  )
  await ctx.target.flush()
  const api = await startApiServer(ctx.target.url, {
    execArgv: ['--import', 'tsx', '--import', SWAP],
  })
  const slow = await watchSlowCommands(ctx.target.admin)
  try {
    let started = performance.now()
    await fillQueued(ctx.target.url, n)
    ctx.log(`  filled ${n} queued in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    started = performance.now()
    await fillDead(ctx.target.url, dead)
    ctx.log(`  filled ${dead} dead in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    // The fill is set-up, not the dashboard: its slow commands are shown, not counted.
    ctx.log(`  commands over ${SLOW_US / 1000} ms while filling: ${formatSlow(await slow.read())}`)
    const measuring = await cpuCost({ apiPid: api.pid, redis: ctx.target.admin })

    const browse = `${api.url}/queues/${QUEUED_QUEUE}/browse?state=queued`
    const overview = await getJson<{ queues: unknown[] }>(`${api.url}/overview`)
    if (overview.queues.length !== QUEUES) {
      throw new Error(`the overview lists ${overview.queues.length} queues, not ${QUEUES}`)
    }
    const deepAt = Math.floor(n / 2 / PAGE) * PAGE
    const lastAt = n - PAGE
    const measure = async (url: string): Promise<Timing & { line: string }> => {
      await timeGets({ url, samples: WARMUP })
      const cost = await cpuCost({ apiPid: api.pid, redis: ctx.target.admin })
      const t = await timeGets({ url, samples: SAMPLES })
      return { ...t, line: `${fmtTiming(t)}; ${fmtCpu(await cost.end(), SAMPLES, 'request')}` }
    }
    const walk = await walkTo(browse, [deepAt, lastAt])
    ctx.log(`  walked to jobs ${deepAt} and ${lastAt} by cursor: ${fmtTiming(walk.timing)}`)
    const pages = [
      { name: 'first page', cursor: undefined },
      { name: `page at ${count(deepAt)}`, cursor: walk.cursors[0] },
      { name: `last page (${count(lastAt)})`, cursor: walk.cursors[1] },
    ]
    for (const page of pages) {
      const url = `${browse}&limit=${PAGE}${page.cursor ? `&cursor=${encodeURIComponent(page.cursor)}` : ''}`
      const last = await getJson<Page>(url)
      if (last.jobs.length !== PAGE) throw new Error(`${page.name}: ${last.jobs.length} jobs`)
      const t = await measure(url)
      const label = `browse ${count(n)} queued, ${page.name}`
      ctx.results.add(ms(`${label}: p50 ms`), 'conveyor', t.p50)
      ctx.results.add(ms(`${label}: p95 ms`), 'conveyor', t.p95)
      ctx.log(`  browse ${page.name} (cursor ${page.cursor ?? 'none'}): ${t.line}`)
    }

    const o = await measure(`${api.url}/overview`)
    ctx.results.add(ms(`overview of ${QUEUES} queues: p50 ms`), 'conveyor', o.p50)
    ctx.results.add(ms(`overview of ${QUEUES} queues: p95 ms`), 'conveyor', o.p95)
    ctx.log(`  overview: ${o.line}`)

    const retryCost = await cpuCost({ apiPid: api.pid, redis: ctx.target.admin })
    const retry = await bulkRetry(`${api.url}/queues/${DEAD_QUEUE}/bulk`)
    const retryCpu = await retryCost.end()
    if (retry.count !== dead) throw new Error(`the bulk retry retried ${retry.count} of ${dead}`)
    const retryLabel = `bulk retry of ${count(dead)} dead`
    ctx.results.add(
      {
        scenario: 'dashboard',
        label: `dashboard, ${retryLabel}: jobs/s`,
        unit: 'jobs/s',
        better: 'higher',
      },
      'conveyor',
      retry.count / (retry.ms / 1000),
    )
    ctx.results.add(ms(`${retryLabel}: p95 ms per step`), 'conveyor', retry.steps.p95)
    ctx.log(
      `  bulk retry: ${retry.count} jobs in ${(retry.ms / 1000).toFixed(1)} s, steps ${fmtTiming(retry.steps)}; ${fmtCpu(retryCpu, retry.steps.samples, 'step')}`,
    )

    const report = await slow.read()
    ctx.results.add(
      {
        scenario: 'dashboard',
        label: `dashboard, Redis commands over ${SLOW_US / 1000} ms`,
        unit: 'commands',
        better: 'lower',
      },
      'conveyor',
      report.count,
    )
    ctx.results.add(
      ms('slowest Redis command over 10 ms (0: none): ms'),
      'conveyor',
      (report.slowest[0]?.durationUs ?? 0) / 1000,
    )
    const window = await measuring.end()
    ctx.log(
      `  commands over ${SLOW_US / 1000} ms while measuring: ${formatSlow(report)}; Redis was preempted ${window.redisPreempted} times meanwhile`,
    )
    if (report.count > 0) {
      ctx.results.notes.push(`dashboard: commands over ${SLOW_US / 1000} ms: ${formatSlow(report)}`)
    }
  } catch (err) {
    const message = `dashboard: ${err instanceof Error ? err.message : String(err)}`
    ctx.results.errors.push(message)
    ctx.log(`  FAILED ${message}`)
  } finally {
    await slow.restore()
    await api.stop()
    await ctx.target.flush()
  }
}

/** Follows `next` from the first page, returning the cursors that start at each position. */
async function walkTo(url: string, positions: readonly number[]) {
  const cursors: string[] = []
  const ms: number[] = []
  let cursor: string | null = null
  let at = 0
  for (const target of positions) {
    while (at < target) {
      const limit = target - at >= WALK_PAGE ? WALK_PAGE : Math.min(PAGE, target - at)
      const started = performance.now()
      const page: Page = await getJson<Page>(
        `${url}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      )
      ms.push(performance.now() - started)
      at += page.jobs.length
      cursor = page.next
      if (cursor === null) throw new Error(`the pages ended at job ${at}, before ${target}`)
    }
    if (cursor === null) throw new Error(`no cursor at job ${target}`)
    cursors.push(cursor)
  }
  return { cursors, timing: timingOf(ms) }
}

/** POST /queues/:queue/bulk, retry the dead jobs, one step after another until `next` is null. */
async function bulkRetry(url: string) {
  let next: string | null | undefined
  let count = 0
  const steps: number[] = []
  const started = performance.now()
  do {
    const t = performance.now()
    const step: { count: number; next: string | null } = await postJson(url, {
      action: 'retry',
      state: 'dead',
      ...(next ? { cursor: next } : {}),
    })
    steps.push(performance.now() - t)
    count += step.count
    next = step.next
  } while (next !== null)
  return { count, ms: performance.now() - started, steps: timingOf(steps) }
}
