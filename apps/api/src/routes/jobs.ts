import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { streamJob } from '../job-stream.js'
import { toJobView } from '../job-view.js'
import { commonErrors, ErrorResponse, JobIdParams } from '../schemas/common.js'
import { JobView } from '../schemas/jobs.js'

/** Reading a job: its record, and its changes as server-sent events. */
export const jobRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.get(
    '/jobs/:id',
    {
      schema: {
        tags: ['jobs'],
        summary: "A job's state, attempts, progress, result and last error",
        params: JobIdParams,
        response: { 200: JobView, 404: ErrorResponse, ...commonErrors },
      },
    },
    async (request) => {
      const { job } = await app.conveyor.require(request.params.id)
      return toJobView(job, app.redactions)
    },
  )

  app.get(
    '/jobs/:id/events',
    {
      schema: {
        tags: ['jobs'],
        summary: "A job's changes as server-sent events, ending once it is finished",
        description:
          'text/event-stream: `state` (the job record, first as it is now, then after each ' +
          'change), `progress`, `removed`; the stream ends after completed, dead or cancelled.',
        params: JobIdParams,
        response: {
          200: Type.String({ description: 'text/event-stream' }),
          404: ErrorResponse,
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      // Looked up first so that an unknown job is a plain 404, not an empty stream.
      const { queue } = await app.conveyor.require(request.params.id)
      const follower = app.followers.get(queue.name)
      if (!follower) throw new Error(`no events follower for queue "${queue.name}"`)
      await streamJob({
        reply,
        queue,
        follower,
        jobId: request.params.id,
        redactions: app.redactions,
      })
    },
  )
  done()
}
