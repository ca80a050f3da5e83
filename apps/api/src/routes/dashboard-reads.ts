import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox'
import { ConveyorError, parseJobId, type HistoryWindow, type Queue } from '@conveyor/queue-core'
import { toSummaryView } from '../job-view.js'
import { visiblyContains } from '../payload-redaction.js'
import { inspectorOf } from '../queue-inspectors.js'
import { commonErrors, ErrorResponse, QueueParams } from '../schemas/common.js'
import {
  BrowsePage,
  BrowseQuery,
  DeadGroups,
  FlowGraph,
  History,
  HistoryQuery,
  MAX_GRAPH_JOBS,
  Overview,
  WorkerList,
} from '../schemas/dashboard.js'
import { FlowIdParams } from '../schemas/flows.js'
import { toFlowView } from './flows.js'

const HOUR = 3_600_000
const iso = (ms: number) => new Date(ms).toISOString()
/** A span's sum without its per-type breakdown, which the overview does not show. */
const overall = ({ byType: _byType, ...counts }: HistoryWindow['total']) => counts

/** The type of each job, by its node: one pipelined read of summaries per queue. */
async function jobTypes(
  queues: Pick<Queue, 'name' | 'summaries'>[],
  jobs: { node: string; id: string }[],
): Promise<Record<string, string>> {
  const byQueue = new Map<string, { node: string; id: string }[]>()
  for (const job of jobs) {
    const queue = parseJobId(job.id)?.queue
    if (queue === undefined) continue
    const list = byQueue.get(queue) ?? []
    list.push(job)
    byQueue.set(queue, list)
  }
  const named = new Map(queues.map((q) => [q.name, q]))
  const types: Record<string, string> = {}
  await Promise.all(
    [...byQueue].map(async ([name, members]) => {
      const summaries = (await named.get(name)?.summaries(members.map((j) => j.id))) ?? []
      members.forEach((job, i) => {
        const type = summaries[i]?.type
        if (type !== undefined) types[job.node] = type
      })
    }),
  )
  return types
}

/** The reads behind the dashboard's screens, open to any script as well. */
export const dashboardReadRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { conveyor, queueNamed } = app
  const tags = ['operator']
  const notFound = { 404: ErrorResponse }

  app.get(
    '/overview',
    {
      schema: {
        tags,
        summary:
          'Every queue: counts per state, oldest waiting, throughput and wait and run time ' +
          'percentiles (last hour and day), workers alive',
        response: { 200: Overview, ...commonErrors },
      },
    },
    async () => {
      const now = Date.now()
      const queues = await Promise.all(
        conveyor.queues().map(async (queue) => {
          const inspector = inspectorOf(queue)
          const [metrics, workers, hour, day] = await Promise.all([
            queue.metrics(),
            inspector.workers(now),
            inspector.history({ resolution: 'm', fromMs: now - HOUR + 60_000, toMs: now }),
            inspector.history({ resolution: 'h', fromMs: now - 23 * HOUR, toMs: now }),
          ])
          return {
            name: queue.name,
            ...metrics.counts,
            oldestQueuedAgeMs: metrics.oldestQueuedAgeMs,
            workersAlive: workers.filter((w) => w.status === 'alive').length,
            lastHour: overall(hour.total),
            lastDay: overall(day.total),
          }
        }),
      )
      const workersAlive = queues.reduce((n, q) => n + q.workersAlive, 0)
      return { queues, workersAlive, at: iso(now) }
    },
  )

  app.get(
    '/queues/:queue/browse',
    {
      schema: {
        tags,
        summary: 'Jobs in a state by cursor, optionally filtered by type or payload text',
        description:
          'Pages by cursor (constant time however deep). With `type` or `text` it examines ' +
          'jobs in chunks until a page is full or `budgetMs` is spent, and says how many it ' +
          'examined (`scanned`): call again with `next` to search further. Queued jobs come ' +
          "plain ones first, then grouped ones group by group; `group` pages one group's " +
          'queued jobs directly (in other states it filters like `type`).',
        params: QueueParams,
        querystring: BrowseQuery,
        response: { 200: BrowsePage, ...notFound, ...commonErrors },
      },
    },
    async (request) => {
      const { state = 'queued', ...rest } = request.query
      const queue = queueNamed(request.params.queue)
      const page = await inspectorOf(queue).browse({ state, ...rest })
      const { text } = rest
      let jobs = page.jobs
      const hidden = jobs.filter((j) => app.redactions.has(j.type))
      if (text && hidden.length > 0) {
        // A hit in a type with hidden fields counts only if the text is in what is shown:
        // those hits' records are read in one call.
        const records = await queue.getJobs(hidden.map((j) => j.id))
        const shown = new Set(
          records.flatMap((r) => (r && visiblyContains(app.redactions, r, text) ? [r.id] : [])),
        )
        jobs = jobs.filter((j) => !app.redactions.has(j.type) || shown.has(j.id))
      }
      return { ...page, jobs: jobs.map((j) => toSummaryView(j, app.redactions)) }
    },
  )

  app.get(
    '/queues/:queue/dead/groups',
    {
      schema: {
        tags,
        summary: 'Dead letters grouped by error fingerprint',
        description:
          "A group's fingerprint is the error's code, or its message with ids, numbers, " +
          'URLs and quoted values masked. Looks at the newest 50,000 dead jobs at most.',
        params: QueueParams,
        response: { 200: DeadGroups, ...notFound, ...commonErrors },
      },
    },
    async (request) => {
      const out = await inspectorOf(queueNamed(request.params.queue)).deadLetterGroups()
      return {
        ...out,
        groups: out.groups.map((g) => ({
          ...g,
          firstSeen: iso(g.firstSeen),
          lastSeen: iso(g.lastSeen),
        })),
      }
    },
  )

  app.get(
    '/workers',
    {
      schema: {
        tags,
        summary: 'Every worker of every queue, from their heartbeats',
        description: 'alive, stale (3 heartbeats missed) or dead (10 missed); gone after an hour.',
        response: { 200: WorkerList, ...commonErrors },
      },
    },
    async () => {
      const now = Date.now()
      const lists = await Promise.all(
        conveyor.queues().map((queue) => inspectorOf(queue).workers(now)),
      )
      return {
        workers: lists.flat().map(({ startedAt, at, everyMs: _everyMs, ...w }) => ({
          ...w,
          startedAt: iso(startedAt),
          heartbeatAt: iso(at),
        })),
      }
    },
  )

  app.get(
    '/queues/:queue/history',
    {
      schema: {
        tags,
        summary:
          'Completed, failed and retried jobs, wait and run time percentiles, per minute (48 h) ' +
          'or per hour (30 days)',
        description:
          'Each point is a minute or an hour, all together and per job type, with their sum in ' +
          '`total`. Workers keep wait and run times as histograms of fixed buckets, so the ' +
          'percentiles of any span are exact sums of what every worker counted, read off ' +
          'with the precision of one bucket.',
        params: QueueParams,
        querystring: HistoryQuery,
        response: { 200: History, ...notFound, ...commonErrors },
      },
    },
    async (request) => {
      const { resolution = 'minute', hours = 1 } = request.query
      const queue = queueNamed(request.params.queue)
      const now = Date.now()
      const span = Math.min(hours, resolution === 'minute' ? 48 : 720) * HOUR
      const { points, total } = await inspectorOf(queue).history({
        resolution: resolution === 'minute' ? 'm' : 'h',
        fromMs: now - span,
        toMs: now,
      })
      return {
        queue: queue.name,
        resolution,
        points: points.map((p) => ({ ...p, at: iso(p.at) })),
        total,
      }
    },
  )

  app.get(
    '/flows/:id/graph',
    {
      schema: {
        tags,
        summary: 'A flow as GET /flows/:id shows it, with the type of each of its jobs',
        description:
          `For drawing the flow: the types come from the jobs' listing summaries (one ` +
          `pipelined read per queue), for a flow of at most ${MAX_GRAPH_JOBS} jobs.`,
        params: FlowIdParams,
        response: { 200: FlowGraph, ...notFound, ...commonErrors },
      },
    },
    async (request) => {
      const flow = await conveyor.flows.get(request.params.id)
      if (!flow) throw new ConveyorError('flow_not_found', `no flow "${request.params.id}"`)
      if (flow.jobs.length > MAX_GRAPH_JOBS) return { flow: toFlowView(flow) }
      const types = await jobTypes(conveyor.queues(), flow.jobs)
      return { flow: toFlowView(flow), types }
    },
  )
  done()
}
