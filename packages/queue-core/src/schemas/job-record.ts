import Type, { type Static } from 'typebox'
import { JobEnvelope } from './envelope.js'

export const JOB_STATES = [
  'queued',
  'scheduled',
  'active',
  'retrying',
  'completed',
  'dead',
  'cancelled',
  'waiting',
] as const
export const JobState = Type.Union([
  Type.Literal('queued'),
  Type.Literal('scheduled'),
  Type.Literal('active'),
  Type.Literal('retrying'),
  Type.Literal('completed'),
  Type.Literal('dead'),
  Type.Literal('cancelled'),
  Type.Literal('waiting', { description: 'a flow job waiting for its parents' }),
])
export type JobState = (typeof JOB_STATES)[number]

export const JobError = Type.Object({
  message: Type.String(),
  code: Type.Optional(Type.String()),
  stack: Type.Optional(Type.String()),
  attempt: Type.Integer(),
  failedAt: Type.Integer({ description: 'ms since the epoch' }),
})
export type JobError = Static<typeof JobError>

/** What a reader sees of a job: its envelope, its state and what came of it so far. */
/** The limit a queued job waits on (src/limits): the queue's rate, or its group's. */
export const LimitKind = Type.Union(
  [Type.Literal('queue_rate'), Type.Literal('group_concurrency'), Type.Literal('group_rate')],
  { description: 'the limit this queued job waits on, if any' },
)
export type LimitKind = Static<typeof LimitKind>

export const JobRecord = Type.Intersect([
  JobEnvelope,
  Type.Object({
    state: JobState,
    stalls: Type.Integer({ minimum: 0 }),
    startedAt: Type.Optional(Type.Integer()),
    finishedAt: Type.Optional(Type.Integer()),
    progress: Type.Optional(Type.Unknown()),
    result: Type.Optional(Type.Unknown()),
    lastError: Type.Optional(JobError),
    flow: Type.Optional(
      Type.Object({
        id: Type.String({ description: 'the flow this job belongs to' }),
        node: Type.String({ description: "the job's id within its flow" }),
      }),
    ),
    waitingOn: Type.Optional(LimitKind),
    batch: Type.Optional(Type.String({ description: 'the batch this job belongs to' })),
  }),
])
export type JobRecord = Static<typeof JobRecord>

export const QueueCounts = Type.Object({
  queued: Type.Integer(),
  scheduled: Type.Integer(),
  active: Type.Integer(),
  retrying: Type.Integer(),
  completed: Type.Integer(),
  dead: Type.Integer(),
  cancelled: Type.Integer(),
  waiting: Type.Integer({ description: 'flow jobs waiting for their parents' }),
  paused: Type.Boolean(),
})
export type QueueCounts = Static<typeof QueueCounts>

/** The most of a payload a summary carries: bigger ones come as a preview, cut. */
export const SUMMARY_PAYLOAD_BYTES = 1_024

/**
 * A job as a listing shows it: bounded in size whatever the job's (no result, a
 * payload only when small, the last error's message cut short). GET the job for all.
 */
export const JobSummary = Type.Object({
  id: Type.String(),
  queue: Type.String(),
  type: Type.String(),
  state: JobState,
  attempts: Type.Integer({ minimum: 0 }),
  maxAttempts: Type.Integer({ minimum: 1 }),
  priority: Type.Integer(),
  group: Type.Optional(Type.String({ description: 'the group the job belongs to' })),
  runAt: Type.Integer({ description: 'ms since the epoch: when the job became due' }),
  createdAt: Type.Integer({ description: 'ms since the epoch' }),
  startedAt: Type.Optional(Type.Integer()),
  finishedAt: Type.Optional(Type.Integer()),
  payloadBytes: Type.Integer({ description: "bytes of the payload's JSON" }),
  payload: Type.Optional(
    Type.Unknown({
      description: `the payload, when its JSON is at most ${SUMMARY_PAYLOAD_BYTES} bytes`,
    }),
  ),
  payloadPreview: Type.Optional(
    Type.String({ description: "the payload's JSON cut short, when it was read and is bigger" }),
  ),
  lastError: Type.Optional(
    Type.Object({ message: Type.String(), code: Type.Optional(Type.String()) }),
  ),
})
export type JobSummary = Static<typeof JobSummary>
