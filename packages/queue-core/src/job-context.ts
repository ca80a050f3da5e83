import type { JobTypeMap, JobTypeName, PayloadOf } from './registry.js'
import type { BatchReport } from './workflows/batch-store.js'

/** What a handler gets: the job, a signal that fires on timeout, lost lease or shutdown, and progress. */
export interface JobContext<P = unknown> {
  readonly id: string
  readonly queue: string
  readonly type: string
  readonly payload: P
  /** 1 on the first try */
  readonly attempt: number
  readonly maxAttempts: number
  readonly createdAt: number
  readonly traceparent: string | undefined
  /** the job's group (src/limits), if it has one */
  readonly group: string | undefined
  /** when this attempt was leased, ms on the Redis clock: the time rate limits count */
  readonly leasedAt: number
  /** aborted when the job times out, is cancelled, its lease is lost, or the worker shuts down past its grace period */
  readonly signal: AbortSignal
  /** stores any JSON value as the job's progress and announces it on the events stream */
  progress(value: unknown): Promise<void>
  /** a flow job's parents' results, by their ids in the flow ({} for a job of no flow) */
  parents(): Promise<Record<string, unknown>>
  /** for a batch's callback job: the batch's counts and failed ids; null for any other job */
  batch(): Promise<BatchReport | null>
}

/** A handler's return value (JSON-serialisable) becomes the job's result. */
export type JobHandler<P = unknown> = (job: JobContext<P>) => unknown

export type HandlerMap<M extends JobTypeMap> = {
  [K in JobTypeName<M>]?: JobHandler<PayloadOf<M, K>>
}

/** What a worker reports about a job; `durationMs` is the handler's wall time. */
export interface JobInfo {
  id: string
  type: string
  attempt: number
  maxAttempts: number
}

export interface WorkerEvents {
  active: [job: JobInfo]
  completed: [job: JobInfo, result: unknown, durationMs: number]
  failed: [job: JobInfo, error: Error, outcome: { retryDelay: number | null; durationMs: number }]
  /** a cancel stopped the job's run (Queue.cancel on a running job) */
  cancelled: [job: JobInfo]
  'lease-lost': [ids: string[]]
  error: [error: unknown]
}
