import Type, { type Static } from 'typebox'
import { BackoffPolicy } from './backoff.js'
import { JOB_ID_PATTERN, LOCAL_ID_PATTERN } from './names.js'

export const Priority = Type.Integer({
  minimum: 0,
  maximum: 9,
  description: '0 runs first, 9 last; 5 by default',
})
export const TRACEPARENT = '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$'
export const Traceparent = Type.String({ pattern: TRACEPARENT, description: 'W3C traceparent' })
export const IdempotencyKey = Type.String({ minLength: 1, maxLength: 256 })

/** The part of a job id after its queue: generated, or chosen by the caller. */
export const LocalJobId = Type.String({
  pattern: LOCAL_ID_PATTERN,
  description:
    'Chosen by the caller: the job\'s id becomes "<queue>:<jobId>", and a job with that id is not enqueued twice',
})
/** A job's id: `<queue>:<local id>` (ids issued before ids named their queue have no queue part). */
export const JobId = Type.String({
  pattern: JOB_ID_PATTERN,
  description: '"<queue>:<local id>"',
})

/** How far ahead a job may be scheduled, by delayMs or runAt: one year. */
export const MAX_SCHEDULE_AHEAD_MS = 31_536_000_000

/** The options a caller may give when enqueueing; anything left out takes the job type's default. */
export const EnqueueOptions = Type.Object(
  {
    delayMs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_SCHEDULE_AHEAD_MS, description: 'ms from now' }),
    ),
    runAt: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'ms since the epoch; at most one year ahead (MAX_SCHEDULE_AHEAD_MS)',
      }),
    ),
    priority: Type.Optional(Priority),
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    backoff: Type.Optional(BackoffPolicy),
    timeoutMs: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 86_400_000, description: 'ms, 0 = none' }),
    ),
    idempotencyKey: Type.Optional(IdempotencyKey),
    idempotencyFingerprint: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        description:
          'what the idempotency key stands for (a hash of the request, say): a repeat of the key with another fingerprint is refused (idempotency_key_reused)',
      }),
    ),
    jobId: Type.Optional(LocalJobId),
    traceparent: Type.Optional(Traceparent),
  },
  { additionalProperties: false },
)
export type EnqueueOptions = Static<typeof EnqueueOptions>

/** A job as a whole: what was asked for and where it stands in its attempts. */
export const JobEnvelope = Type.Object({
  id: JobId,
  queue: Type.String(),
  type: Type.String(),
  payload: Type.Unknown(),
  attempts: Type.Integer({ minimum: 0 }),
  maxAttempts: Type.Integer({ minimum: 1 }),
  backoff: BackoffPolicy,
  priority: Priority,
  runAt: Type.Integer({ description: 'ms since the epoch: when the job became due' }),
  createdAt: Type.Integer({ description: 'ms since the epoch' }),
  timeoutMs: Type.Integer({ minimum: 0, description: 'ms, 0 = none' }),
  idempotencyKey: Type.Optional(Type.String()),
  traceparent: Type.Optional(Type.String()),
})
export type JobEnvelope = Static<typeof JobEnvelope>
