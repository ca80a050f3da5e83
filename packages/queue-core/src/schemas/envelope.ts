import Type, { type Static } from 'typebox'
import { BackoffPolicy } from './backoff.js'

export const Priority = Type.Integer({
  minimum: 0,
  maximum: 9,
  description: '0 runs first, 9 last; 5 by default',
})
export const TRACEPARENT = '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$'
export const Traceparent = Type.String({ pattern: TRACEPARENT, description: 'W3C traceparent' })
export const IdempotencyKey = Type.String({ minLength: 1, maxLength: 256 })
export const JobId = Type.String({
  pattern: '^[A-Za-z0-9_.:-]{1,128}$',
  description: 'Generated, or chosen by the caller (an existing id is not enqueued twice)',
})

/** The options a caller may give when enqueueing; anything left out takes the job type's default. */
export const EnqueueOptions = Type.Object(
  {
    delay: Type.Optional(Type.Integer({ minimum: 0, maximum: 31_536_000_000, description: 'ms' })),
    runAt: Type.Optional(Type.Integer({ minimum: 0, description: 'ms since the epoch' })),
    priority: Type.Optional(Priority),
    maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    backoff: Type.Optional(BackoffPolicy),
    timeout: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 86_400_000, description: 'ms, 0 = none' }),
    ),
    idempotencyKey: Type.Optional(IdempotencyKey),
    jobId: Type.Optional(JobId),
    traceparent: Type.Optional(Traceparent),
  },
  { additionalProperties: false },
)
export type EnqueueOptions = Static<typeof EnqueueOptions>

/**
 * The part of a job fixed at enqueue, stored as one JSON value. Attempts, state and
 * times change as the job moves and live in its record instead. Options equal to the
 * defaults (maxAttempts 4, the default backoff, priority 5, no timeout) are left out:
 * they are most of a small job's bytes, and readers fill them in (resolveSpec).
 */
export const JobSpec = Type.Object({
  type: Type.String(),
  payload: Type.Unknown(),
  maxAttempts: Type.Optional(Type.Integer({ minimum: 1 })),
  backoff: Type.Optional(BackoffPolicy),
  priority: Type.Optional(Priority),
  timeout: Type.Optional(Type.Integer({ minimum: 0 })),
  createdAt: Type.Integer(),
  idempotencyKey: Type.Optional(Type.String()),
  traceparent: Type.Optional(Type.String()),
})
export type JobSpec = Static<typeof JobSpec>

/** A stored spec with its defaults filled in. */
export type ResolvedSpec = JobSpec &
  Required<Pick<JobSpec, 'maxAttempts' | 'backoff' | 'priority' | 'timeout'>>

/** A job as a whole: what was asked for and where it stands in its attempts. */
export const JobEnvelope = Type.Object({
  id: Type.String(),
  queue: Type.String(),
  type: Type.String(),
  payload: Type.Unknown(),
  attempts: Type.Integer({ minimum: 0 }),
  maxAttempts: Type.Integer({ minimum: 1 }),
  backoff: BackoffPolicy,
  priority: Priority,
  runAt: Type.Integer({ description: 'ms since the epoch' }),
  createdAt: Type.Integer({ description: 'ms since the epoch' }),
  timeout: Type.Integer({ minimum: 0, description: 'ms, 0 = none' }),
  idempotencyKey: Type.Optional(Type.String()),
  traceparent: Type.Optional(Type.String()),
})
export type JobEnvelope = Static<typeof JobEnvelope>
