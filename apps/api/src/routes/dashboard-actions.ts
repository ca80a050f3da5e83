import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox'
import { auditLogKey, ConveyorError, parseJobId, redisCall } from '@conveyor/queue-core'
import { toJobView } from '../job-view.js'
import { restoreHidden } from '../payload-redaction.js'
import { demandRole } from '../plugins/auth.js'
import type { AppQueue } from '../plugins/conveyor.js'
import { inspectorOf } from '../queue-inspectors.js'
import { commonErrors, ErrorResponse, JobIdParams, QueueParams } from '../schemas/common.js'
import {
  AuditLog,
  AuditQuery,
  BulkByFilter,
  BulkByIds,
  BulkStep,
  CountResult,
  DeadGroupAction,
  ReenqueueBody,
} from '../schemas/dashboard.js'
import { JobView } from '../schemas/jobs.js'

type Action = 'retry' | 'cancel' | 'remove'

function act(queue: AppQueue, action: Action, ids: string[]): Promise<number> {
  return action === 'retry' ? queue.retryMany(ids) : queue.applyEach(action, ids)
}

/** The dashboard's mutations beyond one job's retry, cancel and delete, and the audit log. */
export const dashboardActionRoutes: FastifyPluginCallbackTypebox<{ keyPrefix: string }> = (
  app,
  { keyPrefix },
  done,
) => {
  const { conveyor, queueNamed } = app
  const tags = ['operator']
  const notFound = { 404: ErrorResponse }

  app.post(
    '/queues/:queue/dead/groups/act',
    {
      schema: {
        tags,
        summary: 'Requeues (operate) or deletes (admin) every dead job of one error group',
        params: QueueParams,
        body: DeadGroupAction,
        response: { 200: CountResult, ...notFound, ...commonErrors },
      },
    },
    async (request) => {
      const { fingerprint, action } = request.body
      demandRole(request, action === 'remove' ? 'admin' : 'operate')
      const queue = queueNamed(request.params.queue)
      const count = await inspectorOf(queue).actOnDeadGroup(fingerprint, action)
      request.auditCount = count
      return { count }
    },
  )

  app.post(
    '/jobs/bulk',
    {
      schema: {
        tags,
        summary: 'Retries, cancels (operate) or deletes (admin) the jobs named',
        description: 'Jobs not in a state that allows the action are skipped.',
        body: BulkByIds,
        response: { 200: CountResult, ...commonErrors },
      },
    },
    async (request) => {
      const { action, ids } = request.body
      demandRole(request, action === 'remove' ? 'admin' : 'operate')
      const byQueue = new Map<string, string[]>()
      for (const id of ids) {
        const queue = parseJobId(id)?.queue
        if (queue === undefined) continue
        byQueue.set(queue, [...(byQueue.get(queue) ?? []), id])
      }
      let count = 0
      for (const [name, list] of byQueue) count += await act(queueNamed(name), action, list)
      request.auditCount = count
      return { count }
    },
  )

  app.post(
    '/queues/:queue/bulk',
    {
      schema: {
        tags,
        summary: 'Acts on every job matching a filter, one bounded step per call',
        description:
          'Examines jobs from `cursor` until `max` match or the time budget is spent, acts ' +
          'on those, and answers `next`: call again with it for the next step (a client ' +
          'shows progress and may stop at any step). Each Redis call stays small.',
        params: QueueParams,
        body: BulkByFilter,
        response: { 200: BulkStep, ...notFound, ...commonErrors },
      },
    },
    async (request) => {
      const { action, state, type, group, text, cursor, max = 500 } = request.body
      demandRole(request, action === 'remove' ? 'admin' : 'operate')
      const queue = queueNamed(request.params.queue)
      const page = await inspectorOf(queue).browse({
        state,
        type,
        group,
        text,
        cursor,
        limit: Math.min(max, 200),
        budgetMs: 500,
      })
      const count = await act(
        queue,
        action,
        page.jobs.map((j) => j.id),
      )
      request.auditCount = count
      return { count, scanned: page.scanned, total: page.total, next: page.next }
    },
  )

  app.post(
    '/jobs/:id/reenqueue',
    {
      schema: {
        tags,
        summary: 'Enqueues a copy of a job, with an edited payload, as a new job',
        description: "The payload is checked against the job type's schema (400 naming the field).",
        params: JobIdParams,
        body: ReenqueueBody,
        response: { 200: JobView, ...notFound, ...commonErrors },
      },
    },
    async (request) => {
      const { job } = await conveyor.require(request.params.id)
      const payload = restoreHidden(app.redactions, job.type, {
        edited: request.body.payload,
        stored: job.payload,
      })
      const { id } = await conveyor.enqueue(job.type as never, payload as never, {
        priority: job.priority,
        maxAttempts: job.maxAttempts,
      })
      request.auditCount = 1
      return toJobView((await conveyor.require(id)).job, app.redactions)
    },
  )

  app.post(
    '/jobs/:id/run-now',
    {
      schema: {
        tags,
        summary: 'Makes a scheduled or retrying job due now',
        params: JobIdParams,
        response: { 200: JobView, ...notFound, 409: ErrorResponse, ...commonErrors },
      },
    },
    async (request) => {
      const { queue, job } = await conveyor.require(request.params.id)
      const moved =
        (job.state === 'scheduled' || job.state === 'retrying') &&
        (await inspectorOf(queue).runNow(job.id))
      if (!moved) {
        throw new ConveyorError('invalid_state', `job "${job.id}" is not scheduled or retrying`)
      }
      return toJobView((await conveyor.require(job.id)).job, app.redactions)
    },
  )

  app.get(
    '/audit',
    {
      schema: {
        tags,
        summary: 'Mutations made through the API, newest first (the last 10,000)',
        querystring: AuditQuery,
        response: { 200: AuditLog, ...commonErrors },
      },
    },
    async (request) => {
      const raw = await redisCall(
        app.redis.lrange(auditLogKey(keyPrefix), 0, (request.query.limit ?? 100) - 1),
      )
      const entries = raw.flatMap((line) => {
        try {
          return [JSON.parse(line) as never]
        } catch {
          return []
        }
      })
      return { entries }
    },
  )

  done()
}
