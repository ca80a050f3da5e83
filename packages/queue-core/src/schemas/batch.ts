import Type, { type Static } from 'typebox'
import { EnqueueOptions, JobId } from './envelope.js'

/** The most jobs one call adds to a batch. */
export const MAX_BATCH_ADD = 10_000

/** A job of a batch, or a callback: any options but an id or idempotency key of its own. */
export const BatchJobInput = Type.Object(
  {
    type: Type.String(),
    payload: Type.Unknown(),
    options: Type.Optional(
      Type.Omit(EnqueueOptions, ['jobId', 'idempotencyKey', 'idempotencyFingerprint']),
    ),
  },
  { additionalProperties: false },
)
export type BatchJobInput = Static<typeof BatchJobInput>

export const BatchJobs = Type.Object(
  { jobs: Type.Array(BatchJobInput, { minItems: 1, maxItems: MAX_BATCH_ADD }) },
  { additionalProperties: false },
)
export type BatchJobs = Static<typeof BatchJobs>

export const BatchInput = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    onSuccess: Type.Optional(BatchJobInput),
    onComplete: Type.Optional(BatchJobInput),
    jobs: Type.Optional(Type.Array(BatchJobInput, { maxItems: MAX_BATCH_ADD })),
  },
  { additionalProperties: false },
)
export type BatchInput = Static<typeof BatchInput>

export const BatchCreated = Type.Object({
  batchId: Type.String(),
  jobs: Type.Array(JobId, { description: 'the ids of the jobs added, in order' }),
})
export type BatchCreated = Static<typeof BatchCreated>

export const BatchView = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  state: Type.Union([
    Type.Literal('open', { description: 'jobs may be added' }),
    Type.Literal('closed', { description: 'no more jobs; waiting for them to finish' }),
    Type.Literal('done', { description: 'every job finished; callbacks fired' }),
  ]),
  createdAt: Type.Integer({ description: 'ms since the epoch' }),
  finishedAt: Type.Optional(Type.Integer()),
  counts: Type.Object({
    total: Type.Integer(),
    completed: Type.Integer(),
    dead: Type.Integer(),
    cancelled: Type.Integer(),
    pending: Type.Integer({ description: 'not finished yet' }),
  }),
  failed: Type.Array(JobId, { description: 'jobs that ended dead or cancelled' }),
  callbacks: Type.Object({
    onSuccess: Type.Optional(JobId),
    onComplete: Type.Optional(JobId),
  }),
})
export type BatchView = Static<typeof BatchView>
