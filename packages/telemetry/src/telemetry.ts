import type {
  EnqueueOptions,
  EnqueueResult,
  HandlerMap,
  JobTypeMap,
  PreparedJobs,
  QueueMetrics,
} from '@conveyor/queue-core'

/** The producer side of a queue-core Queue, as instrumentProducer wraps it. */
export interface Producer {
  readonly name: string
  enqueue(type: never, payload: never, options?: EnqueueOptions): Promise<EnqueueResult>
  prepareBulk(jobs: readonly never[], paths?: readonly string[]): PreparedJobs
  enqueuePrepared(prepared: PreparedJobs): Promise<EnqueueResult[]>
}

/** A queue whose metrics are observed (queue-core's Queue). */
export interface ObservedQueue {
  readonly name: string
  metrics(): Promise<QueueMetrics>
}

/** One slot the scheduler fires. */
export interface FireInfo {
  schedule: string
  slotMs: number
  jobId: string
  type: string
  queue: string
}

/** The span of one HTTP request a server answers. */
export interface HttpServerSpan {
  /** runs `fn` with this span as the current one, so what it starts is a child */
  run<T>(fn: () => T): T
  /** records an error thrown while answering */
  error(err: unknown): void
  /** ends the span with the answer's status (only the first call counts) */
  end(statusCode: number): void
}

/**
 * A service's running telemetry. Made by startTelemetry only when configured: where
 * it is off there is no such object, and the helpers below leave everything as is.
 */
export interface Telemetry {
  readonly serviceName: string
  /** worker handlers, each attempt in a consumer span linked to the job's traceparent */
  instrumentHandlers<M extends JobTypeMap>(handlers: HandlerMap<M>): HandlerMap<M>
  /** a queue's enqueue calls in producer spans whose traceparent goes with each job */
  instrumentProducer(queue: Producer): void
  /** a scheduler's fire in a producer span; `run` gets the traceparent for the job */
  traceFire<T>(info: FireInfo, run: (traceparent: string) => Promise<T>): Promise<T>
  /** a server span for one request, child of the caller's `traceparent` header if any */
  startHttpServerSpan(request: {
    method: string
    route: string
    path: string
    headers: Record<string, string | string[] | undefined>
  }): HttpServerSpan
  /** counts per queue and state, oldest job age, paused and attempt totals as OTel metrics */
  observeQueues(queues: () => readonly ObservedQueue[]): void
  /** sends what is buffered and stops */
  shutdown(): Promise<void>
}
