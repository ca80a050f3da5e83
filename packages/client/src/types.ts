import type * as Api from '@conveyor/api/schemas'
import type { JobTypeMap, JobTypeName, PayloadOf } from '@conveyor/queue-core'
import type { Static } from 'typebox'

// Every answer type is the Static of the schema the API validates and documents with,
// so a field the server adds or renames shows up here at compile time.

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
