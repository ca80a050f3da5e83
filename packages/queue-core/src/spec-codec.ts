import { DEFAULT_BACKOFF } from './backoff.js'
import { DEFAULTS } from './defaults.js'
import { ConveyorError } from './errors.js'
import { BackoffPolicy } from './schemas/backoff.js'
import { compileChecker } from './validation.js'

/**
 * A job as enqueued, with every option filled in. Stored once, at enqueue, as the
 * `specs` value (encodeSpec) and never rewritten while the job lives.
 */
export interface ResolvedSpec {
  type: string
  payload: unknown
  /** ms since the epoch, the producer's clock */
  createdAt: number
  maxAttempts: number
  backoff: BackoffPolicy
  priority: number
  /** 0 = none */
  timeoutMs: number
  idempotencyKey?: string
  traceparent?: string
  /** the flow the job belongs to, and its node there (workflows/) */
  flow?: string
  node?: string
  group?: string
  /** the batch the job belongs to; or, for a batch's callback job, the batch it reports on */
  batch?: string
  callbackOf?: string
}

const DEFAULT_BACKOFF_JSON = JSON.stringify(DEFAULT_BACKOFF)
const checkBackoff = compileChecker<BackoffPolicy>(BackoffPolicy)

/**
 * The stored form: `createdAt` first (lua/oldest.lua reads it without parsing), then
 * type and only the options that differ from the defaults (most of a small job's
 * bytes otherwise), and the payload last, so that the text before `,"payload":` is a
 * job's whole metadata, readable from the first bytes of a spec of any size. The short
 * stored names (`timeout`) are storage v1's too, so a v1 spec reads the same.
 */
export function encodeSpec(spec: ResolvedSpec): string {
  const out: Record<string, unknown> = { createdAt: spec.createdAt, type: spec.type }
  if (spec.maxAttempts !== DEFAULTS.maxAttempts) out.maxAttempts = spec.maxAttempts
  // The default object itself in the common case: no need to serialise it to compare.
  if (spec.backoff !== DEFAULT_BACKOFF && JSON.stringify(spec.backoff) !== DEFAULT_BACKOFF_JSON)
    out.backoff = spec.backoff
  if (spec.priority !== DEFAULTS.priority) out.priority = spec.priority
  if (spec.timeoutMs !== DEFAULTS.timeoutMs) out.timeout = spec.timeoutMs
  if (spec.idempotencyKey !== undefined) out.idempotencyKey = spec.idempotencyKey
  if (spec.traceparent !== undefined) out.traceparent = spec.traceparent
  if (spec.flow !== undefined) {
    out.flow = spec.flow
    out.node = spec.node
  }
  if (spec.group !== undefined) out.group = spec.group
  if (spec.batch !== undefined) out.batch = spec.batch
  if (spec.callbackOf !== undefined) out.callbackOf = spec.callbackOf
  out.payload = spec.payload
  return JSON.stringify(out)
}

/**
 * A spec's metadata without its payload (the same JSON as encodeSpec's, cut before
 * the payload), kept beside a big spec so that a listing never reads the payload.
 */
export function encodeHead(spec: string): string {
  // The first one: metadata strings escape their quotes, and the payload comes last.
  const cut = spec.indexOf(',"payload":')
  return cut < 0 ? spec : `${spec.slice(0, cut)}}`
}

interface StoredSpec {
  type?: unknown
  payload?: unknown
  createdAt?: unknown
  maxAttempts?: unknown
  backoff?: unknown
  priority?: unknown
  timeout?: unknown
  idempotencyKey?: unknown
  traceparent?: unknown
  flow?: unknown
  node?: unknown
  group?: unknown
  batch?: unknown
  callbackOf?: unknown
}

function poison(message: string): ConveyorError {
  return new ConveyorError('poison_message', message)
}

function isInt(v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
}

/**
 * Reads a stored spec, parsing it once. Anything unreadable is a poison message with
 * its reason (ConveyorError 'poison_message'), never a crash. Built field by field: an
 * object spread of a freshly parsed object takes V8's slow path, and this runs once
 * per job. The payload is not checked here: the registry does that, once.
 */
export function decodeSpec(raw: string | Buffer): ResolvedSpec {
  return decodeStored(raw, true)
}

/** A head (encodeHead) read as a spec whose payload is undefined. */
export function decodeHead(raw: string): ResolvedSpec {
  return decodeStored(raw, false)
}

function decodeStored(raw: string | Buffer, withPayload: boolean): ResolvedSpec {
  let s: StoredSpec
  try {
    s = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8')) as StoredSpec
  } catch (err) {
    throw poison(`the job's spec is not JSON: ${(err as Error).message}`)
  }
  if (typeof s !== 'object' || s === null || Array.isArray(s)) {
    throw poison("the job's spec is malformed: / must be an object")
  }
  const problems: string[] = []
  if (typeof s.type !== 'string') problems.push('/type must be a string')
  if (withPayload && !('payload' in s)) problems.push('/payload is required')
  if (!isInt(s.createdAt, 0)) problems.push('/createdAt must be an integer')
  if (s.maxAttempts !== undefined && !isInt(s.maxAttempts, 1)) problems.push('/maxAttempts')
  if (s.priority !== undefined && !isInt(s.priority, 0, 9)) problems.push('/priority')
  if (s.timeout !== undefined && !isInt(s.timeout, 0)) problems.push('/timeout')
  if (s.backoff !== undefined && !checkBackoff.check(s.backoff)) problems.push('/backoff')
  if (s.idempotencyKey !== undefined && typeof s.idempotencyKey !== 'string')
    problems.push('/idempotencyKey')
  if (s.traceparent !== undefined && typeof s.traceparent !== 'string')
    problems.push('/traceparent')
  if (s.group !== undefined && typeof s.group !== 'string') problems.push('/group')
  if (problems.length > 0) {
    throw poison(`the job's spec is malformed: ${problems.slice(0, 3).join('; ')}`)
  }
  const out: ResolvedSpec = {
    type: s.type as string,
    payload: s.payload,
    createdAt: s.createdAt as number,
    maxAttempts: (s.maxAttempts as number | undefined) ?? DEFAULTS.maxAttempts,
    backoff: (s.backoff as BackoffPolicy | undefined) ?? DEFAULT_BACKOFF,
    priority: (s.priority as number | undefined) ?? DEFAULTS.priority,
    timeoutMs: (s.timeout as number | undefined) ?? DEFAULTS.timeoutMs,
  }
  if (s.idempotencyKey !== undefined) out.idempotencyKey = s.idempotencyKey as string
  if (s.traceparent !== undefined) out.traceparent = s.traceparent as string
  if (typeof s.flow === 'string' && typeof s.node === 'string') {
    out.flow = s.flow
    out.node = s.node
  }
  if (s.group !== undefined) out.group = s.group as string
  if (typeof s.batch === 'string') out.batch = s.batch
  if (typeof s.callbackOf === 'string') out.callbackOf = s.callbackOf
  return out
}
