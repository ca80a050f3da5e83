import { JOB_STATES, type QueueMetrics } from '@conveyor/queue-core'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client'
import Type from 'typebox'
import { histogramText } from '../prometheus-histogram.js'
import { ErrorResponse } from '../schemas/common.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** counts an enqueue answered with an existing job by its dedup key */
    countDeduplicated: (queue: string, mode: string) => void
  }
}

/**
 * GET /metrics in Prometheus' text format, from `queue.metrics()` of every queue
 * (read once per scrape). The numbers live in Redis, so every API replica reports the
 * same queue-wide values; the API process's own metrics come with them.
 */
export const metricsPlugin = fp(
  (app, _options, done) => {
    const registry = new Registry()
    collectDefaultMetrics({ register: registry, prefix: 'conveyor_api_' })
    const jobs = new Gauge({
      name: 'conveyor_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [registry],
    })
    const oldest = new Gauge({
      name: 'conveyor_queue_oldest_job_age_seconds',
      help: 'How long the job at the head of the queue has been due (0 when none is queued)',
      labelNames: ['queue'],
      registers: [registry],
    })
    const paused = new Gauge({
      name: 'conveyor_queue_paused',
      help: '1 when the queue is paused',
      labelNames: ['queue'],
      registers: [registry],
    })
    const totals = new Counter({
      name: 'conveyor_jobs_total',
      help: 'Job attempts by outcome, over all workers',
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    })

    const groupsWaiting = new Gauge({
      name: 'conveyor_queue_groups_waiting_on_limit',
      help: 'Groups with queued jobs held back by a limit (group_concurrency, group_rate)',
      labelNames: ['queue', 'limit'],
      registers: [registry],
    })
    const jobsWaiting = new Gauge({
      name: 'conveyor_queue_jobs_waiting_on_limit',
      help: 'Queued jobs of the groups held back by a limit (group_concurrency, group_rate), or all queued jobs while the queue rate is used up (queue_rate)',
      labelNames: ['queue', 'limit'],
      registers: [registry],
    })
    const rateWaiting = new Gauge({
      name: 'conveyor_queue_jobs_waiting_on_queue_rate',
      help: "Queued jobs while the queue's rate is used up (0 while it allows a start)",
      labelNames: ['queue'],
      registers: [registry],
    })
    const deduplicated = new Counter({
      name: 'conveyor_enqueue_deduplicated_total',
      help: 'Enqueues through this API answered with an existing job by their dedup key',
      labelNames: ['queue', 'mode'],
      registers: [registry],
    })
    app.decorate('countDeduplicated', (queue: string, mode: string) =>
      deduplicated.inc({ queue, mode }),
    )

    const update = (queue: string, m: QueueMetrics) => {
      for (const state of JOB_STATES) jobs.set({ queue, state }, m.counts[state])
      oldest.set({ queue }, (m.oldestQueuedAgeMs ?? 0) / 1000)
      paused.set({ queue }, m.counts.paused ? 1 : 0)
      // The totals are kept in Redis; a counter here mirrors them, so it is set, not added to.
      const outcomes = {
        processed: m.totals.completed,
        failed: m.totals.failed,
        retried: m.totals.retried,
        dead: m.totals.dead,
        stalled: m.totals.stalled,
      }
      for (const [outcome, value] of Object.entries(outcomes)) {
        totals.remove({ queue, outcome })
        totals.inc({ queue, outcome }, value)
      }
    }

    app.get(
      '/metrics',
      {
        config: { rateLimit: false },
        schema: {
          tags: ['health'],
          summary: 'Prometheus metrics',
          response: { 200: Type.String(), 503: ErrorResponse },
        },
      },
      async (_request, reply) => {
        const queues = app.conveyor.queues()
        const [all, waiting] = await Promise.all([
          Promise.all(queues.map((q) => q.metrics())),
          Promise.all(queues.map((q) => q.limits.waiting())),
        ])
        queues.forEach((q, i) => all[i] && update(q.name, all[i]))
        queues.forEach((q, i) => {
          const w = waiting[i]
          if (!w) return
          groupsWaiting.set({ queue: q.name, limit: 'group_concurrency' }, w.groupConcurrency)
          groupsWaiting.set({ queue: q.name, limit: 'group_rate' }, w.groupRate)
          const onQueueRate = w.queueRate ? (all[i]?.counts.queued ?? 0) : 0
          rateWaiting.set({ queue: q.name }, onQueueRate)
          jobsWaiting.set({ queue: q.name, limit: 'group_concurrency' }, w.jobsOnGroupConcurrency)
          jobsWaiting.set({ queue: q.name, limit: 'group_rate' }, w.jobsOnGroupRate)
          jobsWaiting.set({ queue: q.name, limit: 'queue_rate' }, onQueueRate)
        })
        const series = (pick: (m: QueueMetrics) => QueueMetrics['waitMs']) =>
          queues.flatMap((q, i) => {
            const m = all[i]
            return m ? [{ labels: { queue: q.name }, histogram: pick(m) }] : []
          })
        const text =
          (await registry.metrics()) +
          histogramText({
            name: 'conveyor_job_duration_seconds',
            help: 'Handler wall time per attempt',
            series: series((m) => m.durationMs),
          }) +
          histogramText({
            name: 'conveyor_job_wait_seconds',
            help: 'From due (enqueue, delay or retry time) to start',
            series: series((m) => m.waitMs),
          })
        return reply.type(registry.contentType).send(text)
      },
    )
    done()
  },
  { name: 'metrics', dependencies: ['conveyor'] },
)
