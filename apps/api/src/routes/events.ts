import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { streamQueues } from '../queue-stream.js'
import { commonErrors, ErrorResponse } from '../schemas/common.js'
import { QueueEventsQuery } from '../schemas/events.js'

/** Every queue's events, live: for `conveyor tail` and dashboards. */
export const eventRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.get(
    '/events',
    {
      schema: {
        tags: ['operator'],
        summary: 'Live events of every queue (or one) as server-sent events',
        description:
          "text/event-stream of `job` events, one per entry of the queues' events streams: " +
          '`{queue, event, ids, progress?, at}` (event: queued, active, completed, retrying, ' +
          'dead, …). It starts from now and lasts until the client leaves.',
        querystring: QueueEventsQuery,
        response: {
          200: Type.String({ description: 'text/event-stream' }),
          404: ErrorResponse,
          ...commonErrors,
        },
      },
    },
    async (request, reply) => {
      const names =
        request.query.queue === undefined
          ? app.conveyor.queues().map((q) => q.name)
          : [request.query.queue]
      const followers = names.map((name) => {
        const queue = app.queueNamed(name)
        const follower = app.followers.get(queue.name)
        if (!follower) throw new Error(`no events follower for queue "${queue.name}"`)
        return { queue: queue.name, follower }
      })
      await streamQueues({ reply, followers })
    },
  )
  done()
}
