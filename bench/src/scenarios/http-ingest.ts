import autocannon from 'autocannon'
import { startApiServer } from '../api-server.js'
import { eachRun, type ScenarioContext } from './context.js'

const CONNECTIONS = 50
const BATCH = 100
const EMAIL = { to: 'user@example.com', subject: 'Bench', body: 'Hello from the benchmark.' }

interface Route {
  path: string
  body: string
  jobsPerRequest: number
}

const ROUTES: Route[] = [
  { path: '/enqueue-email', body: JSON.stringify(EMAIL), jobsPerRequest: 1 },
  {
    path: '/jobs/batch',
    body: JSON.stringify({
      jobs: Array.from({ length: BATCH }, () => ({ type: 'email', payload: EMAIL })),
    }),
    jobsPerRequest: BATCH,
  },
]

/**
 * HTTP ingest through Conveyor's API process (autocannon, 50 connections). BullMQ and
 * Bee-Queue ship no HTTP API, so this scenario has Conveyor only; nothing is invented
 * for them. The load generator, the API and Redis share the machine's cores.
 */
export async function runHttpIngest(ctx: ScenarioContext): Promise<void> {
  if (!ctx.systems.includes('conveyor')) return
  const seconds = ctx.args.httpSeconds
  ctx.log(`http ingest: autocannon, ${CONNECTIONS} connections, ${seconds} s per route`)
  ctx.results.notes.push(
    'HTTP ingest: only Conveyor has an HTTP API; BullMQ and Bee-Queue have no row of their own.',
  )
  const api = await startApiServer(ctx.target.url)
  try {
    for (const route of ROUTES) {
      // A short unrecorded run warms the API's JIT and connections.
      await ctx.target.flush()
      await load(api.url, route, 1)
      const label = `http POST ${route.path}${route.jobsPerRequest > 1 ? ` (${route.jobsPerRequest} jobs)` : ''}`
      const keys = {
        requests: {
          scenario: 'http',
          label: `${label}: requests/s`,
          unit: 'req/s',
          better: 'higher',
        },
        jobs: { scenario: 'http', label: `${label}: jobs/s`, unit: 'jobs/s', better: 'higher' },
        p99: { scenario: 'http', label: `${label}: p99 ms`, unit: 'ms', better: 'lower' },
      } as const
      await eachRun(ctx, { title: 'http', systems: ['conveyor'] }, async () => {
        const r = await load(api.url, route, seconds)
        const ok = r['2xx']
        if (r.non2xx > 0 || r.errors > 0)
          ctx.results.notes.push(
            `${label}: ${r.non2xx} non-2xx answers, ${r.errors} errors in a run`,
          )
        const rps = ok / r.duration
        ctx.results.add(keys.requests, 'conveyor', rps)
        ctx.results.add(keys.jobs, 'conveyor', rps * route.jobsPerRequest)
        ctx.results.add(keys.p99, 'conveyor', r.latency.p99)
        return `${Math.round(rps)} req/s, ${Math.round(rps * route.jobsPerRequest)} jobs/s, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}`
      })
    }
  } finally {
    await api.stop()
  }
}

function load(url: string, route: Route, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}${route.path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: route.body,
    connections: CONNECTIONS,
    duration: seconds,
  })
}
