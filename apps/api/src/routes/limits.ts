import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { commonErrors, ErrorResponse, QueueParams } from '../schemas/common.js'
import { GroupLimits, GroupParams, QueueLimits } from '../schemas/limits.js'

const notFound = { 404: ErrorResponse }

/**
 * A queue's limits and one group's override (README "Groups and limits"). PUT replaces
 * them as a whole; every worker applies a change at its next reserve, within a second.
 */
export const limitRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { queueNamed } = app
  const tags = ['limits']

  app.get(
    '/queues/:queue/limits',
    {
      schema: {
        tags,
        summary: "The queue's rate and its groups' default limits",
        params: QueueParams,
        response: { 200: QueueLimits, ...notFound, ...commonErrors },
      },
    },
    (request) => queueNamed(request.params.queue).limits.get(),
  )

  app.put(
    '/queues/:queue/limits',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: "Replaces the queue's rate and its groups' default limits",
        params: QueueParams,
        body: QueueLimits,
        response: { 200: QueueLimits, ...notFound, ...commonErrors },
      },
    },
    (request) => queueNamed(request.params.queue).limits.set(request.body),
  )

  app.delete(
    '/queues/:queue/limits',
    {
      schema: {
        tags,
        summary: "Removes the queue's rate and its groups' default limits",
        params: QueueParams,
        response: { 204: Type.Null(), ...notFound, ...commonErrors },
      },
    },
    async (request, reply) => {
      await queueNamed(request.params.queue).limits.clear()
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/queues/:queue/groups/:group/limits',
    {
      schema: {
        tags,
        summary: "One group's override of the queue's group limits",
        params: GroupParams,
        response: { 200: GroupLimits, ...notFound, ...commonErrors },
      },
    },
    async (request) => {
      const limits = await queueNamed(request.params.queue).limits.getGroup(request.params.group)
      return limits ?? {}
    },
  )

  app.put(
    '/queues/:queue/groups/:group/limits',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: "Replaces one group's override",
        params: GroupParams,
        body: GroupLimits,
        response: { 200: GroupLimits, ...notFound, ...commonErrors },
      },
    },
    (request) =>
      queueNamed(request.params.queue).limits.setGroup(request.params.group, request.body),
  )

  app.delete(
    '/queues/:queue/groups/:group/limits',
    {
      schema: {
        tags,
        summary: "Removes one group's override: the queue's defaults apply to it",
        params: GroupParams,
        response: { 204: Type.Null(), ...notFound, ...commonErrors },
      },
    },
    async (request, reply) => {
      await queueNamed(request.params.queue).limits.clearGroup(request.params.group)
      return reply.code(204).send(null)
    },
  )
  done()
}
