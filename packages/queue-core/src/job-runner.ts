import { backoffDelay } from './backoff.js'
import { ConveyorError, isConveyorError } from './errors.js'
import type { HandlerMap, JobContext, JobHandler } from './job-context.js'
import type { JobRegistry, JobTypeMap } from './registry.js'
import { JobSpec, type ResolvedSpec } from './schemas/envelope.js'
import { resolveSpec } from './spec-defaults.js'
import { compileChecker } from './validation.js'

/** A job this worker holds a lease on, from reservation until its outcome is stored. */
export interface HeldJob {
  id: string
  token: string
  attempt: number
  rawSpec: string | null
  /** ms from due to reservation, on the Redis clock */
  waitMs: number
  /** performance.now() at reservation, to add the time spent in the prefetch buffer */
  reservedAt: number
  phase: 'buffered' | 'running' | 'settling'
  /** set while the handler runs: stops waiting for it and fires its signal */
  abort?: (reason: Error) => void
}

export type Outcome =
  | { kind: 'completed'; result: string; type: string; maxAttempts: number }
  | { kind: 'failed'; error: Error; retryDelay: number | null; type: string; maxAttempts: number }
  /** the job is no longer ours (lease lost, released at shutdown): store nothing */
  | { kind: 'abandoned'; type: string; maxAttempts: number }

export interface RunEnv<M extends JobTypeMap> {
  queue: string
  registry: JobRegistry<M>
  handlers: HandlerMap<M>
  progress(job: HeldJob, value: unknown): Promise<void>
  /** the job was read and is about to run */
  started(job: HeldJob, spec: ResolvedSpec): void
}

const checkSpec = compileChecker<JobSpec>(JobSpec)
const ABANDON_CODES = new Set(['lease_lost', 'shutting_down'])
const NO_RETRY_CODES = new Set(['permanent_failure', 'poison_message'])

/** Reads a job as stored; anything unreadable is a poison message, never a crash. */
function readSpec<M extends JobTypeMap>(job: HeldJob, registry: JobRegistry<M>): ResolvedSpec {
  if (job.rawSpec === null) throw poison('the job has no spec (it was written to Redis by hand?)')
  let parsed: unknown
  try {
    parsed = JSON.parse(job.rawSpec)
  } catch (err) {
    throw poison(`the job's spec is not JSON: ${(err as Error).message}`)
  }
  if (!checkSpec.check(parsed)) {
    const why = checkSpec.issues(parsed).map((i) => `${i.path} ${i.message}`)
    throw poison(`the job's spec is malformed: ${why.slice(0, 3).join('; ')}`)
  }
  if (registry.has(parsed.type)) {
    try {
      registry.parsePayload(parsed.type, parsed.payload)
    } catch (err) {
      throw poison(`the payload failed validation: ${(err as Error).message}`, err)
    }
  }
  return resolveSpec(parsed)
}

function poison(message: string, cause?: unknown): ConveyorError {
  return new ConveyorError('poison_message', message, { cause })
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
  const error = thrown instanceof Error ? thrown : new Error(String(thrown))
  const type = spec?.type ?? 'unknown'
  const maxAttempts = spec?.maxAttempts ?? 1
  if (isConveyorError(error) && ABANDON_CODES.has(error.code)) {
    return { kind: 'abandoned', type, maxAttempts }
  }
  const final =
    !spec ||
    job.attempt >= spec.maxAttempts ||
    (isConveyorError(error) && NO_RETRY_CODES.has(error.code))
  const retryDelay = final || !spec ? null : backoffDelay(spec.backoff, job.attempt)
  return { kind: 'failed', error, retryDelay, type, maxAttempts }
}

function completion(job: HeldJob, value: unknown, spec: ResolvedSpec): Outcome {
  try {
    const result = value === undefined ? '' : JSON.stringify(value)
    return { kind: 'completed', result, type: spec.type, maxAttempts: spec.maxAttempts }
  } catch (err) {
    return failure(job, err, spec)
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

/**
 * Runs one job's handler and decides what becomes of it. Never rejects: every
 * failure, including an unreadable job, becomes an outcome. `job.abort(reason)` ends
 * the wait at once (timeout, lost lease, shutdown): the handler's signal fires and its
 * eventual result is ignored.
 */
export function runJob<M extends JobTypeMap>(job: HeldJob, env: RunEnv<M>): Promise<Outcome> {
  let spec: ResolvedSpec
  try {
    spec = readSpec(job, env.registry)
  } catch (err) {
    return Promise.resolve(failure(job, err, undefined))
  }
  env.started(job, spec)
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
    id: job.id,
    queue: env.queue,
    type: spec.type,
    payload: spec.payload,
    attempt: job.attempt,
    maxAttempts: spec.maxAttempts,
    createdAt: spec.createdAt,
    traceparent: spec.traceparent,
    get signal() {
      return lazy.signal
    },
    progress: (value) => env.progress(job, value),
  }
  return new Promise<Outcome>((resolve) => {
    let timer: NodeJS.Timeout | undefined
    const finish = (outcome: Outcome) => {
      if (timer) clearTimeout(timer)
      job.abort = undefined
      resolve(outcome)
    }
    job.abort = (reason) => {
      lazy.abort(reason)
      finish(failure(job, reason, spec))
    }
    if (spec.timeout > 0) {
      const ms = spec.timeout
      timer = setTimeout(
        () => job.abort?.(new ConveyorError('job_timeout', `job timed out after ${ms} ms`)),
        ms,
      )
    }
    let value: unknown
    try {
      value = handler(ctx)
    } catch (err) {
      finish(failure(job, err, spec))
      return
    }
    if (isThenable(value)) {
      value.then(
        (v) => finish(completion(job, v, spec)),
        (err: unknown) => finish(failure(job, err, spec)),
      )
    } else {
      finish(completion(job, value, spec))
    }
  })
}

/** The error as stored with the job: enough to debug it from the dead-letter list. */
export function serializeError(error: Error, attempt: number): string {
  const code = isConveyorError(error) ? error.code : (error as { code?: unknown }).code
  return JSON.stringify({
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(error.stack ? { stack: error.stack } : {}),
    attempt,
    failedAt: Date.now(),
  })
}
