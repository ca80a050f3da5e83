import type * as Api from '@conveyor/api/schemas'
import type * as Core from '@conveyor/queue-core'
import type { JobTypeMap, JobTypeName, PayloadOf } from '@conveyor/queue-core'
import type { Static } from 'typebox'

// Every answer type is the Static of the schema the API validates and documents with,
// so a field the server adds or renames shows up here at compile time. (The limits and
// batch request schemas the routes take from queue-core directly come from there.)

/** A job as GET /jobs/:id answers it; times are ISO 8601 strings. */
export type JobView = Static<typeof Api.JobView>
export type JobState = JobView['state']
/** The answer to an accepted job: 202 `{id, status, statusUrl}`. */
export type Accepted = Static<typeof Api.Accepted>
export type JobPage = Static<typeof Api.JobPage>
export type JobSummaryView = Static<typeof Api.JobSummaryView>
/** One queue's counts per state, from GET /queues. */
export type QueueSummary = Static<typeof Api.QueueSummary>
export type QueueStatus = Static<typeof Api.QueueStatus>
export type RequeueResult = Static<typeof Api.RequeueResult>
/** One entry of a queue's events, from GET /events. */
export type QueueEventView = Static<typeof Api.QueueEventView>
/** The body of every error answer. */
export type ErrorBody = Static<typeof Api.ErrorResponse>
type JobRequest = Static<typeof Api.JobRequest>

/** Per call: a deadline for each HTTP request, and a signal to give up early. */
export interface CallOptions {
  /** ms per HTTP request (each retry gets its own); default the client's timeoutMs */
  timeoutMs?: number
  signal?: AbortSignal
}

/** A POST that creates something: the Idempotency-Key every try sends (default: a new one per call). */
export interface CreateOptions extends CallOptions {
  idempotencyKey?: string
}

/** POST /jobs options: the request's own fields, `runAt` also as a Date. */
export type EnqueueOptions = Omit<JobRequest, 'type' | 'payload' | 'runAt'> & {
  runAt?: Date | number | string
  /**
   * Makes the enqueue idempotent across your own retries too (an order id, say);
   * without one the client makes one per call, so its own retries never enqueue twice.
   */
  idempotencyKey?: string
} & CallOptions

/** One job of a batch. */
export type BatchJob<M extends JobTypeMap> = {
  [K in JobTypeName<M>]: {
    type: K
    payload: PayloadOf<M, K>
  } & Omit<EnqueueOptions, 'idempotencyKey' | keyof CallOptions>
}[JobTypeName<M>]

/** What a job's event stream carries, as `jobEvents` yields it. */
export type JobEvent =
  | { event: 'state'; job: JobView }
  | { event: 'progress'; id: string; progress: unknown }
  | { event: 'removed'; id: string }

export interface ListOptions extends CallOptions {
  offset?: number
  limit?: number
}

/** A queue's rate and its groups' defaults (GET and PUT /queues/:queue/limits). */
export type QueueLimits = Static<typeof Core.QueueLimits>
/** One group's override, or every group's default (`concurrency`, `rate`). */
export type GroupLimits = Static<typeof Core.GroupLimits>
export type RateLimit = Static<typeof Core.RateLimit>
/** A page of a queue's groups with queued or running jobs; `cursor` null after the last. */
export type GroupPage = Static<typeof Api.GroupPage>
export type GroupSummary = GroupPage['groups'][number]
export type GroupsOptions = Omit<Static<typeof Api.GroupsQuery>, 'cursor'> & {
  /** the previous page's cursor; absent or null: from the start */
  cursor?: string | null
} & CallOptions

type Typed<M extends JobTypeMap, Rest> = {
  [K in JobTypeName<M>]: { type: K; payload: PayloadOf<M, K> } & Rest
}[JobTypeName<M>]

/** One job of a flow, its payload checked against its type at compile time. */
export type FlowJobInput<M extends JobTypeMap> = Typed<
  M,
  Omit<Static<typeof Core.FlowJobInput>, 'type' | 'payload'>
>
/** POST /flows: jobs with ids of their own and `dependsOn` edges forming a DAG. */
export type FlowRequest<M extends JobTypeMap> = Omit<Api.FlowRequest, 'jobs'> & {
  jobs: FlowJobInput<M>[]
}
/** 202 from POST /flows: the flow's id and each job's id by its id in the flow. */
export type FlowCreated = Static<typeof Api.FlowCreated>
/** A flow as GET /flows/:id answers it: state, counts, each job's state and edges. */
export type FlowView = Static<typeof Api.FlowViewApi>
export type FlowState = FlowView['state']
/**
 * One event of GET /flows/:id/events (the route documents it as text): `job` when a
 * job of the flow finished or was retried, `flow` when the flow's state changed.
 */
export type FlowEvent =
  | { event: 'job'; node: string; job: string; state: string; at: string }
  | { event: 'flow'; state: FlowState; at: string }

/** A job of a batch, or one of its callbacks; enqueue options under `options`. */
export type BatchJobInput<M extends JobTypeMap> = Typed<
  M,
  Omit<Static<typeof Core.BatchJobInput>, 'type' | 'payload'>
>
/** POST /batches: its callbacks and maybe its first jobs. */
export type BatchRequest<M extends JobTypeMap> = Omit<
  Static<typeof Core.BatchInput>,
  'jobs' | 'onSuccess' | 'onComplete'
> & {
  onSuccess?: BatchJobInput<M>
  onComplete?: BatchJobInput<M>
  jobs?: BatchJobInput<M>[]
}
/** 201 from POST /batches: the batch's id and its first jobs' ids, in order. */
export type BatchCreated = Static<typeof Core.BatchCreated>
/** 202 from POST /batches/:id/jobs: the ids of the jobs added, in order. */
export type BatchJobsAdded = Static<typeof Api.BatchJobsAdded>
/** A batch as GET /batches/:id answers it: state, counts, failed jobs, fired callbacks. */
export type BatchView = Static<typeof Api.BatchViewApi>
