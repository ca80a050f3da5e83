import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox'
import { EmailPayload, SmsPayload } from '@conveyor/queue-core'
import { accepted, countDeduplicated, enqueueAll, replay, toBulkJob } from '../job-requests.js'
import { idempotentOptions } from '../plugins/idempotency.js'
import { commonErrors } from '../schemas/common.js'
import { Accepted, BatchAccepted, BatchRequest, JobRequest } from '../schemas/enqueue.js'

const BATCH_BODY_LIMIT = 10 * 1024 * 1024

/** The seed's two enqueue routes and the generic POST /jobs and /jobs/batch. */
export const enqueueRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { conveyor } = app

  app.post(
    '/enqueue-email',
    {
      schema: {
        tags: ['enqueue'],
        summary: 'Send an email in the background',
        body: EmailPayload,
        response: { 202: Accepted, ...commonErrors },
      },
    },
    async (request, reply) => {
      const result = await conveyor.enqueue('email', request.body, idempotentOptions(request))
      return replay(reply, [result]).code(202).send(accepted(result.id))
    },
  )

  app.post(
    '/enqueue-sms',
    {
      schema: {
        tags: ['enqueue'],
        summary: 'Send an SMS in the background',
        body: SmsPayload,
        response: { 202: Accepted, ...commonErrors },
      },
    },
    async (request, reply) => {
      const result = await conveyor.enqueue('sms', request.body, idempotentOptions(request))
      return replay(reply, [result]).code(202).send(accepted(result.id))
    },
  )

  app.post(
    '/jobs',
    {
      schema: {
        tags: ['enqueue'],
        summary: 'Enqueue a job of any registered type',
        body: JobRequest,
        response: { 202: Accepted, ...commonErrors },
      },
    },
    async (request, reply) => {
      const job = toBulkJob(request.body)
      const options = { ...job.options, ...idempotentOptions(request) }
      const result = await conveyor.enqueue(job.type, job.payload, options)
      countDeduplicated(app, [result], [request.body])
      return replay(reply, [result]).code(202).send(accepted(result.id, job.options))
    },
  )

  app.post(
    '/jobs/batch',
    {
      bodyLimit: BATCH_BODY_LIMIT,
      schema: {
        tags: ['enqueue'],
        summary: 'Enqueue up to 1000 jobs; one bad job enqueues none',
        body: BatchRequest,
        response: { 202: BatchAccepted, ...commonErrors },
      },
    },
    async (request, reply) => {
      const jobs = request.body.jobs.map((job, i) => {
        const bulk = toBulkJob(job, `/jobs/${i}`)
        const keyed = idempotentOptions(request, i)
        return keyed.idempotencyKey === undefined
          ? bulk
          : { ...bulk, options: { ...bulk.options, ...keyed } }
      })
      const { accepted: answers, results } = await enqueueAll(conveyor, jobs, '/jobs')
      countDeduplicated(app, results, request.body.jobs)
      return replay(reply, results).code(202).send({ jobs: answers })
    },
  )
  done()
}
