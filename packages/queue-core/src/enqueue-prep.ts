import { DEFAULT_BACKOFF } from './backoff.js'
import { DEFAULTS } from './defaults.js'
import { ConveyorError } from './errors.js'
import { newLocalId } from './job-id.js'
import type { JobRegistry, JobTypeMap } from './registry.js'
import {
  EnqueueOptions as EnqueueOptionsSchema,
  MAX_SCHEDULE_AHEAD_MS,
  UNIQUE_DEDUP_HOLD_MS,
} from './schemas/envelope.js'
import { INLINE_SPEC_BYTES, type EnqueueArg } from './scripts.js'
import { encodeHead, encodeSpec, type ResolvedSpec } from './spec-codec.js'
import { compileChecker, type Checker } from './validation.js'

/** Enqueue options as the TypeScript API takes them: `runAt` may be a Date. */
export type EnqueueOptions = Omit<EnqueueOptionsSchema, 'runAt'> & { runAt?: number | Date }

const checkOptions: Checker<EnqueueOptionsSchema> = compileChecker(EnqueueOptionsSchema)

/** One job to enqueue, before it is checked. */
export interface JobInput {
  type: string
  payload: unknown
  options?: EnqueueOptions | undefined
}

/**
 * Checks one job (its type, its payload against the type's schema, its options; errors
 * name the field under `at`) and encodes what the enqueue script takes. The payload is
 * validated here once and serialised once, inside its spec.
 */
export function prepareJob<M extends JobTypeMap>(
  registry: JobRegistry<M>,
  job: JobInput,
  at: string,
): EnqueueArg {
  const { type, payload, options } = job
  registry.parsePayload(type, payload, at)
  const opts =
    options?.runAt instanceof Date ? { ...options, runAt: options.runAt.getTime() } : options
  if (opts !== undefined) {
    checkOptions.parse(opts, `${at}/options`)
    if (typeof opts.runAt === 'number' && opts.runAt - Date.now() > MAX_SCHEDULE_AHEAD_MS) {
      const path = `${at}/options/runAt`
      const message = 'must be at most one year ahead'
      throw new ConveyorError('validation_failed', `invalid input: ${path} ${message}`, {
        details: [{ path, message }],
      })
    }
    const dedup = opts.dedup
    if (dedup && dedup.mode !== 'unique' && dedup.ttlMs === undefined) {
      const path = `${at}/options/dedup/ttlMs`
      const message = `is required by mode ${dedup.mode}`
      throw new ConveyorError('validation_failed', `invalid input: ${path} ${message}`, {
        details: [{ path, message }],
      })
    }
  }
  const defaults = registry.definition(type).defaults ?? {}
  const spec: ResolvedSpec = {
    type,
    payload,
    createdAt: Date.now(),
    maxAttempts: opts?.maxAttempts ?? defaults.maxAttempts ?? DEFAULTS.maxAttempts,
    backoff: opts?.backoff ?? defaults.backoff ?? DEFAULT_BACKOFF,
    priority: opts?.priority ?? defaults.priority ?? DEFAULTS.priority,
    timeoutMs: opts?.timeoutMs ?? defaults.timeoutMs ?? DEFAULTS.timeoutMs,
  }
  if (opts?.idempotencyKey !== undefined) spec.idempotencyKey = opts.idempotencyKey
  if (opts?.traceparent !== undefined) spec.traceparent = opts.traceparent
  if (opts?.group !== undefined) spec.group = opts.group
  const chosen = opts?.jobId
  const stored = encodeSpec(spec)
  return {
    id: chosen ?? newLocalId(),
    spec: stored,
    head: stored.length > INLINE_SPEC_BYTES ? encodeHead(stored) : '',
    priority: spec.priority,
    delayMs: opts?.delayMs ?? 0,
    runAt: (opts?.runAt as number | undefined) ?? 0,
    checkId: chosen !== undefined,
    idempotencyKey: opts?.idempotencyKey ?? '',
    fingerprint: opts?.idempotencyFingerprint ?? '',
    group: opts?.group ?? '',
    dedupKey: opts?.dedup?.key ?? '',
    dedupMode: opts?.dedup?.mode ?? '',
    // A unique key's ttlMs means nothing (it holds while its job lives): it gets a safety bound.
    dedupTtlMs: opts?.dedup?.mode === 'unique' ? UNIQUE_DEDUP_HOLD_MS : (opts?.dedup?.ttlMs ?? 0),
  }
}
