import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { toJobView, toSummaryView } from '../job-view.js'
import { commonErrors, ErrorResponse, JobIdParams, QueueParams } from '../schemas/common.js'
import {
  JobPage,
  JobView,
  ListJobsQuery,
  PageOnlyQuery,
  QueueList,
  QueueStatus,
  RequeueResult,
} from '../schemas/jobs.js'

const notFound = { 404: ErrorResponse }
const conflict = { 409: ErrorResponse }

/** What an operator needs: counts, listings, retry, cancel, delete, dead letters, pause. */
export const operatorRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { conveyor, queueNamed } = app
  const tags = ['operator']

  app.get(
    '/queues',
    { schema: { tags, summary: 'Counts per state for every queue', response: { 200: QueueList } } },
    async () => {
      const all = conveyor.queues()
      const counts = await Promise.all(all.map((q) => q.counts()))
      return { queues: all.map((q, i) => ({ name: q.name, ...counts[i]! })) }
    },
  )

  app.get(
    '/queues/:queue/jobs',
    {
      schema: {
        tags,
        summary: 'One page of the jobs in a state (queued by default)',
        description:
          'Queued jobs come plain ones first, in the order they run, then grouped ones group ' +
          "by group (by name), each in the order it runs. `group` pages one group's queued " +
          'jobs (a 400 with another state).',
        params: QueueParams,
        querystring: ListJobsQuery,
        response: { 200: JobPage, ...notFound, ...commonErrors },
      },
    },
    async (request) => {
      const { state = 'queued', offset = 0, limit = 50, group } = request.query
      const page = await queueNamed(request.params.queue).list(state, { offset, limit, group })
      return {
        jobs: page.jobs.map((j) => toSummaryView(j, app.redactions)),
        total: page.total,
        offset,
        limit,
      }
    },
  )

  app.get(
    '/queues/:queue/dead',
    {
      schema: {
        tags,
        summary: 'The dead-letter list, newest first',
        params: QueueParams,
        querystring: PageOnlyQuery,
        response: { 200: JobPage, ...notFound, ...commonErrors },
      },
    },
    async (request) => {
      const { offset = 0, limit = 50 } = request.query
      const page = await queueNamed(request.params.queue).list('dead', { offset, limit })
      return {
        jobs: page.jobs.map((j) => toSummaryView(j, app.redactions)),
        total: page.total,
        offset,
        limit,
      }
    },
  )

  app.post(
    '/queues/:queue/dead/requeue',
    {
      schema: {
        tags,
        summary: 'Puts every dead job of the queue back in line',
        params: QueueParams,
        response: { 200: RequeueResult, ...notFound, ...commonErrors },
      },
    },
    async (request) => {
      const queue = queueNamed(request.params.queue)
      return { queue: queue.name, requeued: await queue.retryAll() }
    },
  )

  for (const action of ['pause', 'resume'] as const) {
    app.post(
      `/queues/:queue/${action}`,
      {
        schema: {
          tags,
          summary: action === 'pause' ? 'Workers stop taking jobs' : 'Workers take jobs again',
          params: QueueParams,
          response: { 200: QueueStatus, ...notFound, ...commonErrors },
        },
      },
      async (request) => {
        const queue = queueNamed(request.params.queue)
        await (action === 'pause' ? queue.pause() : queue.resume())
        return { queue: queue.name, paused: await queue.isPaused() }
      },
    )
  }

  const jobAction = { params: JobIdParams, response: { 200: JobView, ...notFound, ...conflict } }

  app.post(
    '/jobs/:id/retry',
    {
      schema: {
        tags,
        summary:
          'Retries a dead or cancelled job; a dead job of a flow resumes its cancelled dependents',
        ...jobAction,
      },
    },
    async (request) => {
      await conveyor.retry(request.params.id)
      return toJobView((await conveyor.require(request.params.id)).job, app.redactions)
    },
  )

  app.post(
    '/jobs/:id/cancel',
    {
      schema: {
        tags,
        summary:
          'Cancels a job not finished; a running one is stopped on whichever worker holds it (its handler signal aborts) and ends cancelled, not retried',
        ...jobAction,
      },
    },
    async (request) => {
      await conveyor.cancel(request.params.id)
      return toJobView((await conveyor.require(request.params.id)).job, app.redactions)
    },
  )

  app.delete(
    '/jobs/:id',
    {
      schema: {
        tags,
        summary: 'Deletes a job that is not running',
        params: JobIdParams,
        response: { 204: Type.Null(), ...notFound, ...conflict },
      },
    },
    async (request, reply) => {
      const { queue } = await conveyor.require(request.params.id)
      await queue.remove(request.params.id)
      return reply.code(204).send(null)
    },
  )
  done()
}
