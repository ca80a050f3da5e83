import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox'
import { EmailPayload, SmsPayload } from '@conveyor/queue-core'
import { accepted, countDeduplicated, enqueueAll, replay, toBulkJob } from '../job-requests.js'
import { idempotentOptions } from '../plugins/idempotency.js'
import { commonErrors, keyReusedError } from '../schemas/common.js'
import { fieldError } from '../api-error.js'
import { Accepted, BatchAccepted, BatchRequest, JobRequest, MAX_BATCH } from '../schemas/enqueue.js'

const MiB = 1024 * 1024
/**
 * One job's request: room for the biggest e-mail the schema takes (EMAIL_TEXT_MAX_CHARS
 * of text and of HTML at 3 bytes a character), so the two limits agree.
 */
const JOB_BODY_LIMIT = 4 * MiB
/** A batch: 1,000 ordinary jobs; its item count is checked before its items are. */
const BATCH_BODY_LIMIT = 10 * MiB

/** The seed's two enqueue routes and the generic POST /jobs and /jobs/batch. */
export const enqueueRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const { conveyor } = app

  app.post(
    '/enqueue-email',
    {
      bodyLimit: JOB_BODY_LIMIT,
      config: { audit: false },
      schema: {
        tags: ['enqueue'],
        summary: 'Send an email in the background',
        body: EmailPayload,
        response: { 202: Accepted, ...keyReusedError, ...commonErrors },
      },
    },
    async (request, reply) => {
      const result = await conveyor.enqueue('email', request.body, idempotentOptions(request))
      return replay(reply, [result]).code(202).send(accepted(result))
    },
  )

  app.post(
    '/enqueue-sms',
    {
      config: { audit: false },
      schema: {
        tags: ['enqueue'],
        summary: 'Send an SMS in the background',
        body: SmsPayload,
        response: { 202: Accepted, ...keyReusedError, ...commonErrors },
      },
    },
    async (request, reply) => {
      const result = await conveyor.enqueue('sms', request.body, idempotentOptions(request))
      return replay(reply, [result]).code(202).send(accepted(result))
    },
  )

  app.post(
    '/jobs',
    {
      bodyLimit: JOB_BODY_LIMIT,
      config: { audit: false },
      schema: {
        tags: ['enqueue'],
        summary: 'Enqueue a job of any registered type',
        body: JobRequest,
        response: { 202: Accepted, ...keyReusedError, ...commonErrors },
      },
    },
    async (request, reply) => {
      const job = toBulkJob(request.body)
      const options = { ...job.options, ...idempotentOptions(request) }
      const result = await conveyor.enqueue(job.type, job.payload, options)
      countDeduplicated(app, [result], [request.body])
      return replay(reply, [result]).code(202).send(accepted(result, job.options))
    },
  )

  app.post(
    '/jobs/batch',
    {
      bodyLimit: BATCH_BODY_LIMIT,
      // Counted before the schema checks every item: a 100,000-item body is refused at
      // the cost of its JSON.parse, not of validating each job.
      preValidation: (request, _reply, next) => {
        const jobs = (request.body as { jobs?: unknown } | null)?.jobs
        if (Array.isArray(jobs) && jobs.length > MAX_BATCH) {
          return next(fieldError('/jobs', `must not have more than ${MAX_BATCH} items`))
        }
        next()
      },
      config: { audit: false },
      schema: {
        tags: ['enqueue'],
        summary: 'Enqueue up to 1000 jobs; one bad job enqueues none',
        body: BatchRequest,
        response: { 202: BatchAccepted, ...keyReusedError, ...commonErrors },
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
