import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox'
import { commonErrors, ErrorResponse, QueueParams } from '../schemas/common.js'
import { GroupPage, GroupsQuery } from '../schemas/limits.js'

/** The groups of a queue with their queued and running jobs, a page at a time. */
export const groupRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  app.get(
    '/queues/:queue/groups',
    {
      schema: {
        tags: ['limits'],
        summary: 'Groups with queued or running jobs, by name (cursor paging)',
        params: QueueParams,
        querystring: GroupsQuery,
        response: { 200: GroupPage, 404: ErrorResponse, ...commonErrors },
      },
    },
    (request) => {
      const { cursor, limit = 100 } = request.query
      return app.queueNamed(request.params.queue).limits.groups({ cursor, limit })
    },
  )
  done()
}
