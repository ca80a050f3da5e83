import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox'
import { ConveyorError, type BatchView } from '@conveyor/queue-core'
import { answerOnce } from '../idempotent-requests.js'
import { commonErrors, ErrorResponse, keyedErrors } from '../schemas/common.js'
import {
  BatchCreated,
  BatchIdParams,
  BatchInput,
  BatchJobs,
  BatchJobsAdded,
  BatchViewApi,
} from '../schemas/batches.js'

const iso = (ms: number) => new Date(ms).toISOString()
// 10,000 jobs with small payloads.
const BODY_LIMIT = 16 * 1024 * 1024

function toBatchView(batch: BatchView): BatchViewApi {
  const { createdAt, finishedAt, ...rest } = batch
  const view: BatchViewApi = { ...rest, createdAt: iso(createdAt) }
  if (finishedAt !== undefined) view.finishedAt = iso(finishedAt)
  return view
}

/** Batches: groups of jobs with callbacks once all of them finished. */
export const batchRoutes: FastifyPluginCallbackTypebox = (app, _options, done) => {
  const tags = ['batches']
  const { conveyor } = app
  const notFound = { 404: ErrorResponse }

  async function view(id: string): Promise<BatchViewApi> {
    const batch = await conveyor.batches.get(id)
    if (!batch) throw new ConveyorError('batch_not_found', `no batch "${id}"`)
    return toBatchView(batch)
  }

  app.post(
    '/batches',
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        tags,
        summary: 'Opens a batch, with its callbacks and maybe its first jobs',
        description:
          'onSuccess runs once every job completed, onComplete once every job finished ' +
          'whatever the outcome; each exactly once, its handler reading the counts and the ' +
          'failed ids with job.batch(). Callbacks fire only after POST /batches/:id/close.',
        body: BatchInput,
        response: { 201: BatchCreated, ...keyedErrors, ...commonErrors },
      },
    },
    (request, reply) =>
      answerOnce({ request, reply, status: 201, run: () => conveyor.batches.create(request.body) }),
  )

  app.post(
    '/batches/:id/jobs',
    {
      bodyLimit: BODY_LIMIT,
      schema: {
        tags,
        summary: 'Adds jobs to an open batch (409 once it is closed)',
        description:
          'With an Idempotency-Key each job’s id comes from the key: a retry of a request ' +
          'that failed part way (its jobs counted, some queues enqueued) adds and counts ' +
          'only what is missing; a retry of one that succeeded replays its answer.',
        params: BatchIdParams,
        body: BatchJobs,
        response: { 202: BatchJobsAdded, ...notFound, ...keyedErrors, ...commonErrors },
      },
    },
    (request, reply) => {
      const idempotencyKey = request.idempotency?.key
      const options = idempotencyKey === undefined ? {} : { idempotencyKey }
      return answerOnce({
        request,
        reply,
        status: 202,
        run: async () => ({
          jobs: await conveyor.batches.add(request.params.id, request.body, options),
        }),
      })
    },
  )

  app.post(
    '/batches/:id/close',
    {
      schema: {
        tags,
        summary: 'Closes a batch: no more jobs; its callbacks fire once every job finished',
        params: BatchIdParams,
        response: { 200: BatchViewApi, ...notFound, ...commonErrors },
      },
    },
    async (request) => {
      await conveyor.batches.close(request.params.id)
      return view(request.params.id)
    },
  )

  app.get(
    '/batches/:id',
    {
      schema: {
        tags,
        summary: 'A batch: its state, counts by outcome, failed jobs and fired callbacks',
        params: BatchIdParams,
        response: { 200: BatchViewApi, ...notFound, ...commonErrors },
      },
    },
    async (request) => view(request.params.id),
  )

  done()
}
