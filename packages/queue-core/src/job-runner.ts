import { backoffDelay } from './backoff.js'
import { ConveyorError, isConveyorError } from './errors.js'
import type { HandlerMap, JobContext, JobHandler } from './job-context.js'
import type { JobRegistry, JobTypeMap } from './registry.js'
import { decodeSpec, type ResolvedSpec } from './spec-codec.js'
import { toError } from './thrown.js'
import type { BatchReport } from './workflows/batch-store.js'

/** A job this worker holds a lease on, from reservation until its outcome is stored. */
export interface HeldJob {
  /** local id, as the scripts know it */
  id: string
  /** `<queue>:<local id>`, as everyone else knows it */
  jobId: string
  token: string
  attempt: number
  /** as stored; a big one as a Buffer, made a string only to be parsed */
  rawSpec: string | Buffer | null
  /** when the job became due (Redis clock); 0: at its spec's createdAt */
  runAt: number
  /** the Redis clock when it was reserved */
  reservedAtMs: number
  /** performance.now() at reservation, to add the time spent in the prefetch buffer */
  reservedAt: number
  phase: 'buffered' | 'running' | 'settling'
  /** set while the handler runs: stops waiting for it and fires its signal */
  abort?: (reason: Error) => void
  /** the flow and node of a job of a flow (workflows/), once its spec was read */
  flow?: { id: string; node: string }
  /** the batch of a job of a batch (workflows/), once its spec was read */
  batch?: string
}

export type Outcome =
  | { kind: 'completed'; result: string; type: string; maxAttempts: number }
  | { kind: 'failed'; error: Error; retryDelay: number | null; type: string; maxAttempts: number }
  /** a cancel stopped it: stored cancelled, not retried */
  | { kind: 'cancelled'; error: Error; type: string; maxAttempts: number }
  /** the job is no longer ours (lease lost, released at shutdown): store nothing */
  | { kind: 'abandoned'; type: string; maxAttempts: number }

export interface RunEnv<M extends JobTypeMap> {
  queue: string
  registry: JobRegistry<M>
  handlers: HandlerMap<M>
  progress(job: HeldJob, value: unknown): Promise<void>
  /** the job was read and is about to run; waitMs from due to now */
  started(job: HeldJob, spec: ResolvedSpec, waitMs: number): void
  /** the largest result (JSON bytes) stored; a larger one fails the attempt */
  maxResultBytes: number
  /** the results of a flow job's parents, by node */
  parents(flow: { id: string; node: string }): Promise<Record<string, unknown>>
  /** what a batch's callback reports on */
  batch(batchId: string): Promise<BatchReport>
}

const ABANDON_CODES = new Set(['lease_lost', 'shutting_down'])
const NO_RETRY_CODES = new Set(['permanent_failure', 'poison_message', 'result_too_large'])

/** Reads a job as stored, once: the spec parsed, the payload checked against its type. */
function readSpec<M extends JobTypeMap>(job: HeldJob, registry: JobRegistry<M>): ResolvedSpec {
  if (job.rawSpec === null) {
    throw new ConveyorError(
      'poison_message',
      'the job has no spec (it was written to Redis by hand?)',
    )
  }
  const spec = decodeSpec(job.rawSpec)
  // Parsed: the stored text is no longer needed while the job waits or runs.
  job.rawSpec = null
  if (registry.has(spec.type)) {
    try {
      registry.parsePayload(spec.type, spec.payload)
    } catch (err) {
      throw new ConveyorError(
        'poison_message',
        `the payload failed validation: ${(err as Error).message}`,
        { cause: err },
      )
    }
  }
  return spec
}

/**
 * The handler's AbortSignal, made only if the handler asks for it: most handlers never
 * look, and an AbortController per job is a measurable share of a quick job's cost.
 */
class LazySignal {
  private controller: AbortController | undefined
  private reason: Error | undefined

  get signal(): AbortSignal {
    this.controller ??= new AbortController()
    if (this.reason && !this.controller.signal.aborted) this.controller.abort(this.reason)
    return this.controller.signal
  }

  abort(reason: Error): void {
    this.reason ??= reason
    this.controller?.abort(reason)
  }
}

function failure(job: HeldJob, thrown: unknown, spec: ResolvedSpec | undefined): Outcome {
  const error = toError(thrown)
  const type = spec?.type ?? 'unknown'
  const maxAttempts = spec?.maxAttempts ?? 1
  if (isConveyorError(error) && ABANDON_CODES.has(error.code)) {
    return { kind: 'abandoned', type, maxAttempts }
  }
  if (isConveyorError(error, 'job_cancelled'))
    return { kind: 'cancelled', error, type, maxAttempts }
  const final =
    !spec ||
    job.attempt >= spec.maxAttempts ||
    (isConveyorError(error) && NO_RETRY_CODES.has(error.code))
  const retryDelay = final || !spec ? null : backoffDelay(spec.backoff, job.attempt)
  return { kind: 'failed', error, retryDelay, type, maxAttempts }
}

function completion<M extends JobTypeMap>(
  job: HeldJob,
  value: unknown,
  spec: ResolvedSpec,
  env: RunEnv<M>,
): Outcome {
  let result: string
  try {
    result = value === undefined ? '' : (JSON.stringify(value) ?? '')
  } catch (err) {
    return failure(job, err, spec)
  }
  if (result.length > env.maxResultBytes) {
    const err = new ConveyorError(
      'result_too_large',
      `the handler's result is ${result.length} bytes of JSON; at most ${env.maxResultBytes} are stored`,
    )
    return failure(job, err, spec)
  }
  return { kind: 'completed', result, type: spec.type, maxAttempts: spec.maxAttempts }
}

/**
 * Runs one job's handler and decides what becomes of it. Never rejects, and nothing a
 * handler does reaches the process as an unhandled rejection: every failure, including
 * an unreadable job, a throwing thenable or a non-Error throw, becomes an outcome.
 * `job.abort(reason)` ends the wait at once (timeout, lost lease, shutdown): the
 * handler's signal fires and its eventual result is ignored.
 */
export function runJob<M extends JobTypeMap>(job: HeldJob, env: RunEnv<M>): Promise<Outcome> {
  let spec: ResolvedSpec
  try {
    spec = readSpec(job, env.registry)
  } catch (err) {
    return Promise.resolve(failure(job, err, undefined))
  }
  if (spec.flow !== undefined) job.flow = { id: spec.flow, node: spec.node ?? '' }
  if (spec.batch !== undefined) job.batch = spec.batch
  const callbackOf = spec.callbackOf
  env.started(job, spec, job.reservedAtMs - (job.runAt > 0 ? job.runAt : spec.createdAt))
  const handler = env.handlers[spec.type] as JobHandler | undefined
  if (!handler) {
    const err = new ConveyorError(
      'no_handler',
      `no handler for job type "${spec.type}" on this worker`,
    )
    return Promise.resolve(failure(job, err, spec))
  }
  const lazy = new LazySignal()
  const ctx: JobContext = {
    id: job.jobId,
    queue: env.queue,
    type: spec.type,
    payload: spec.payload,
    attempt: job.attempt,
    maxAttempts: spec.maxAttempts,
    createdAt: spec.createdAt,
    traceparent: spec.traceparent,
    group: spec.group,
    leasedAt: job.reservedAtMs,
    get signal() {
      return lazy.signal
    },
    parents: () => (job.flow ? env.parents(job.flow) : Promise.resolve({})),
    batch: () => (callbackOf === undefined ? Promise.resolve(null) : env.batch(callbackOf)),
    progress: (value) => {
      const stored = env.progress(job, value)
      // Handled here too, so a handler that does not await it cannot crash the
      // process with an unhandled rejection; one that awaits still sees the error.
      stored.catch(() => undefined)
      return stored
    },
  }
  return new Promise<Outcome>((resolve) => {
    let timer: NodeJS.Timeout | undefined
    let done = false
    const finish = (outcome: Outcome) => {
      if (done) return
      done = true
      if (timer) clearTimeout(timer)
      job.abort = undefined
      resolve(outcome)
    }
    job.abort = (reason) => {
      lazy.abort(reason)
      finish(failure(job, reason, spec))
    }
    if (spec.timeoutMs > 0) {
      const ms = spec.timeoutMs
      timer = setTimeout(
        () => job.abort?.(new ConveyorError('job_timeout', `job timed out after ${ms} ms`)),
        ms,
      )
    }
    try {
      const value = handler(ctx)
      if (typeof (value as { then?: unknown } | null)?.then === 'function') {
        ;(value as PromiseLike<unknown>).then(
          (v) => finish(completion(job, v, spec, env)),
          (err: unknown) => finish(failure(job, err, spec)),
        )
      } else {
        finish(completion(job, value, spec, env))
      }
    } catch (err) {
      // The handler threw, or its thenable's then() did.
      finish(failure(job, err, spec))
    }
  })
}
