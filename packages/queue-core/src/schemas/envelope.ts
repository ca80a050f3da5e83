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
/** The longest a dedup key's throttle or debounce window may be: one day. */
export const MAX_DEDUP_TTL_MS = 86_400_000
/**
 * A `unique` dedup key holds at most this long after its job is due, should the job
 * outlive it (its key is given back when the job ends): a bound on what a lost job could
 * leave behind, not a window.
 */
export const UNIQUE_DEDUP_HOLD_MS = 7 * 86_400_000
export const IdempotencyKey = Type.String({ minLength: 1, maxLength: 256 })

/** Printable text: `\0` separates a group from the rest of its stored keys (lua/includes/groups.lua). */
export const GROUP_PATTERN = '^[^\\u0000-\\u001f\\u007f]{1,128}$'
export const Group = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: GROUP_PATTERN,
  description:
    'the group the job belongs to (a tenant, a phone number): groups take turns, and their limits apply to it',
})

/** Enqueue-time deduplication by key (README "Dedup"); `idempotencyKey` is another thing. */
export const Dedup = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 256 }),
    mode: Type.Union([Type.Literal('unique'), Type.Literal('throttle'), Type.Literal('debounce')], {
      description:
        "unique: refused (the existing id returned) while a job with the key is queued, scheduled or running; throttle: repeats within ttlMs return the first id; debounce: a repeat replaces the pending job's payload and pushes its run to now + ttlMs",
    }),
    ttlMs: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_DEDUP_TTL_MS,
        description: 'ms; required by throttle and debounce',
      }),
    ),
  },
  { additionalProperties: false },
)
export type Dedup = Static<typeof Dedup>

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
    group: Type.Optional(Group),
    dedup: Type.Optional(Dedup),
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
  group: Type.Optional(Type.String()),
})
export type JobEnvelope = Static<typeof JobEnvelope>
