import type { ConveyorJobTypes } from '@conveyor/service-kit'
import type { JobTypeMap, JobTypeName, PayloadOf } from '@conveyor/queue-core'
import { BatchesApi } from './batches.js'
import { ConveyorApiError } from './errors.js'
import { FlowsApi } from './flows.js'
import { segment as id, Transport, type TransportOptions } from './http.js'
import { LimitsApi } from './limits.js'
import { followJob, followQueues } from './streams.js'
import type {
  Accepted,
  BatchJob,
  CallOptions,
  EnqueueOptions,
  JobEvent,
  JobPage,
  JobState,
  JobView,
  ListOptions,
  QueueEventView,
  QueueStatus,
  QueueSummary,
  RequeueResult,
} from './types.js'

export type ClientOptions = TransportOptions

function runAtOf(runAt: EnqueueOptions['runAt']): number | string | undefined {
  return runAt instanceof Date ? runAt.toISOString() : runAt
}

function jobBody(
  type: string,
  payload: unknown,
  options: Omit<EnqueueOptions, 'idempotencyKey' | keyof CallOptions>,
) {
  const { runAt, ...rest } = options
  const at = runAtOf(runAt)
  return { type, payload, ...rest, ...(at === undefined ? {} : { runAt: at }) }
}

/**
 * A typed client for the Conveyor HTTP API. Payloads are checked against the job
 * catalog's types at compile time (and by the server at run time); every failure is a
 * ConveyorApiError carrying the server's error code.
 */
export class ConveyorClient<M extends JobTypeMap = ConveyorJobTypes> {
  private readonly http: Transport
  /** queue limits, group overrides and the groups of a queue */
  readonly limits: LimitsApi
  /** flows: jobs that wait for other jobs, as a DAG */
  readonly flows: FlowsApi<M>
  /** batches: jobs with callbacks once all of them finished */
  readonly batches: BatchesApi<M>

  constructor(options: ClientOptions) {
    this.http = new Transport(options)
    this.limits = new LimitsApi(this.http)
    this.flows = new FlowsApi<M>(this.http)
    this.batches = new BatchesApi<M>(this.http)
  }

  /** The API's base URL. */
  get url(): string {
    return this.http.base
  }

  /**
   * Enqueues one job (POST /jobs), in a `group` and deduplicated by `dedup` if given.
   * Every try carries the same Idempotency-Key, so a retry after a lost answer returns
   * the first job instead of enqueuing a second.
   */
  enqueue<K extends JobTypeName<M>>(
    type: K,
    payload: PayloadOf<M, K>,
    options: EnqueueOptions = {},
  ): Promise<Accepted> {
    const { timeoutMs, signal, idempotencyKey, ...rest } = options
    return this.http.request<Accepted>({
      method: 'POST',
      path: '/jobs',
      body: jobBody(type, payload, rest),
      idempotencyKey,
      timeoutMs,
      signal,
    })
  }

  /** Enqueues up to 1,000 jobs at once (POST /jobs/batch): one bad job enqueues none. */
  async enqueueBatch(
    jobs: BatchJob<M>[],
    options: CallOptions & { idempotencyKey?: string } = {},
  ): Promise<Accepted[]> {
    const body = { jobs: jobs.map(({ type, payload, ...rest }) => jobBody(type, payload, rest)) }
    const answer = await this.http.request<{ jobs: Accepted[] }>({
      method: 'POST',
      path: '/jobs/batch',
      body,
      ...options,
    })
    return answer.jobs
  }

  /** A job's record (GET /jobs/:id); ConveyorApiError `job_not_found` when there is none. */
  getJob(jobId: string, options: CallOptions = {}): Promise<JobView> {
    return this.http.request<JobView>({ method: 'GET', path: `/jobs/${id(jobId)}`, ...options })
  }

  /**
   * A job's changes as they happen (GET /jobs/:id/events): its state now, then each
   * change and progress report, ending once it is finished or removed.
   */
  jobEvents(jobId: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}) {
    return followJob(this.http, jobId, options)
  }

  /**
   * Resolves with the job once it is completed, dead or cancelled, following its
   * server-sent events (and opening them again if the server goes away meanwhile).
   * `timeoutMs` bounds the whole wait (default: none).
   */
  async waitFor(
    jobId: string,
    options: {
      timeoutMs?: number
      signal?: AbortSignal
      onProgress?: (progress: unknown) => void
      onState?: (job: JobView) => void
    } = {},
  ): Promise<JobView> {
    const signals = [options.signal]
    if (options.timeoutMs !== undefined) signals.push(AbortSignal.timeout(options.timeoutMs))
    const signal = AbortSignal.any(signals.filter((s) => s !== undefined))
    try {
      for await (const event of this.jobEvents(jobId, { signal })) {
        if (event.event === 'progress') options.onProgress?.(event.progress)
        else if (event.event === 'removed') {
          throw new ConveyorApiError({
            code: 'job_removed',
            message: `job ${jobId} was removed before it finished`,
          })
        } else {
          options.onState?.(event.job)
          if (isFinal(event.job.state)) return event.job
        }
      }
    } catch (err) {
      if (options.timeoutMs !== undefined && signal.aborted && !options.signal?.aborted) {
        throw new ConveyorApiError({
          code: 'timeout',
          message: `job ${jobId} did not finish within ${options.timeoutMs} ms`,
          cause: err,
        })
      }
      throw err
    }
    throw new ConveyorApiError({ code: 'aborted', message: `waiting for job ${jobId}: aborted` })
  }

  /** One page of a queue's jobs in a state, queued by default (GET /queues/:queue/jobs). */
  listJobs(queue: string, options: ListOptions & { state?: JobState } = {}): Promise<JobPage> {
    const { state, offset, limit, ...call } = options
    return this.http.request<JobPage>({
      method: 'GET',
      path: `/queues/${id(queue)}/jobs`,
      query: { state, offset, limit },
      ...call,
    })
  }

  /** One page of a queue's dead letters, newest first. */
  listDead(queue: string, options: ListOptions = {}): Promise<JobPage> {
    const { offset, limit, ...call } = options
    return this.http.request<JobPage>({
      method: 'GET',
      path: `/queues/${id(queue)}/dead`,
      query: { offset, limit },
      ...call,
    })
  }

  /** Counts per state of every queue (GET /queues). */
  async stats(options: CallOptions = {}): Promise<QueueSummary[]> {
    const answer = await this.http.request<{ queues: QueueSummary[] }>({
      method: 'GET',
      path: '/queues',
      ...options,
    })
    return answer.queues
  }

  /** Retries a dead or cancelled job; `invalid_state` (409) for any other. */
  retry(jobId: string, options: CallOptions = {}): Promise<JobView> {
    return this.jobAction(jobId, 'retry', options)
  }

  /** Cancels a job that has not started; `invalid_state` (409) for one that has. */
  cancel(jobId: string, options: CallOptions = {}): Promise<JobView> {
    return this.jobAction(jobId, 'cancel', options)
  }

  /** Deletes a job that is not running. */
  async remove(jobId: string, options: CallOptions = {}): Promise<void> {
    await this.http.request({ method: 'DELETE', path: `/jobs/${id(jobId)}`, ...options })
  }

  /** Puts every dead job of the queue back in line. */
  requeueDead(queue: string, options: CallOptions = {}): Promise<RequeueResult> {
    return this.http.request<RequeueResult>({
      method: 'POST',
      path: `/queues/${id(queue)}/dead/requeue`,
      ...options,
    })
  }

  /** Workers stop taking the queue's jobs (running ones finish). */
  pause(queue: string, options: CallOptions = {}): Promise<QueueStatus> {
    return this.queueAction(queue, 'pause', options)
  }

  resume(queue: string, options: CallOptions = {}): Promise<QueueStatus> {
    return this.queueAction(queue, 'resume', options)
  }

  /**
   * The live events of every queue, or of one (GET /events), from the moment the
   * stream is open (`onOpen`) until aborted or the server ends it.
   */
  queueEvents(
    options: { queue?: string; signal?: AbortSignal; timeoutMs?: number; onOpen?: () => void } = {},
  ): AsyncGenerator<QueueEventView> {
    return followQueues(this.http, options)
  }

  /**
   * The scheduler's schedules (GET /schedules). On a server without that route this
   * is a ConveyorApiError with status 404 and code `not_found`.
   */
  async schedules(options: CallOptions = {}): Promise<Record<string, unknown>[]> {
    const answer = await this.http.request<unknown>({
      method: 'GET',
      path: '/schedules',
      ...options,
    })
    if (Array.isArray(answer)) return answer as Record<string, unknown>[]
    const list = (answer as { schedules?: unknown }).schedules
    return Array.isArray(list) ? (list as Record<string, unknown>[]) : []
  }

  private jobAction(jobId: string, action: 'retry' | 'cancel', options: CallOptions) {
    return this.http.request<JobView>({
      method: 'POST',
      path: `/jobs/${id(jobId)}/${action}`,
      ...options,
    })
  }

  private queueAction(queue: string, action: 'pause' | 'resume', options: CallOptions) {
    return this.http.request<QueueStatus>({
      method: 'POST',
      path: `/queues/${id(queue)}/${action}`,
      ...options,
    })
  }
}

export const FINAL_STATES: readonly JobState[] = ['completed', 'dead', 'cancelled']

/** Whether a job in this state will not change any more (unless an operator retries it). */
export function isFinal(state: JobState): boolean {
  return FINAL_STATES.includes(state)
}

export type { JobEvent }
