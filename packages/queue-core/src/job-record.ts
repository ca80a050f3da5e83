import { decodeRecord, type StoredRecord } from './record-codec.js'
import type { JobError, JobRecord } from './schemas/job-record.js'
import { decodeSpec, type ResolvedSpec } from './spec-codec.js'
import { DEFAULT_BACKOFF } from './backoff.js'
import { DEFAULTS } from './defaults.js'

function parseJson(raw: string | null | undefined): unknown {
  if (raw === null || raw === undefined || raw === '') return undefined
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}

/** The stored pieces of one job, as read from the queue's hashes. */
export interface StoredJob {
  /** the job's id (`<queue>:<local id>`) */
  id: string
  queue: string
  spec: string | null
  /** the record; null for a job waiting for its first run */
  state: string | null
  result?: string | null
  progress?: string | null
  error?: string | null
}

/** A stored spec unreadable as one (a poison message): its raw text as the payload. */
function readableSpec(raw: string): ResolvedSpec {
  try {
    return decodeSpec(raw)
  } catch {
    return {
      type: 'unknown',
      payload: parseJson(raw),
      createdAt: 0,
      maxAttempts: DEFAULTS.maxAttempts,
      backoff: DEFAULT_BACKOFF,
      priority: DEFAULTS.priority,
      timeoutMs: DEFAULTS.timeoutMs,
    }
  }
}

/**
 * Assembles what a reader sees from the stored pieces; null when neither a spec nor a
 * record exists. A spec that does not read (a poison message written by hand) still
 * yields a record, with the raw text as payload, so that an operator can see it and
 * remove it.
 */
export function toJobRecord(raw: StoredJob): JobRecord | null {
  if (raw.state === null && raw.spec === null) return null
  const rec: StoredRecord | null = raw.state === null ? null : decodeRecord(raw.state)
  const spec = raw.spec === null ? readableSpec('null') : readableSpec(raw.spec)
  const record: JobRecord = {
    id: raw.id,
    queue: raw.queue,
    type: spec.type,
    payload: spec.payload,
    attempts: rec?.attempts ?? 0,
    maxAttempts: spec.maxAttempts,
    backoff: spec.backoff,
    priority: rec?.priority ?? spec.priority,
    runAt: rec && rec.runAt > 0 ? rec.runAt : spec.createdAt,
    createdAt: spec.createdAt,
    timeoutMs: spec.timeoutMs,
    state: rec?.state ?? 'queued',
    stalls: rec?.stalls ?? 0,
  }
  if (spec.idempotencyKey !== undefined) record.idempotencyKey = spec.idempotencyKey
  if (spec.traceparent !== undefined) record.traceparent = spec.traceparent
  if (spec.flow !== undefined) record.flow = { id: spec.flow, node: spec.node ?? '' }
  if (spec.group !== undefined) record.group = spec.group
  if (spec.batch !== undefined) record.batch = spec.batch
  if (rec && rec.startedAt > 0) record.startedAt = rec.startedAt
  if (rec && rec.finishedAt > 0) record.finishedAt = rec.finishedAt
  const progress = parseJson(raw.progress)
  if (progress !== undefined) record.progress = progress
  const result = parseJson(raw.result)
  if (result !== undefined) record.result = result
  const error = parseJson(raw.error)
  if (error !== undefined) record.lastError = error as JobError
  return record
}
