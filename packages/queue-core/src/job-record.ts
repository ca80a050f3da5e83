import { DEFAULT_BACKOFF } from './backoff.js'
import { DEFAULTS } from './defaults.js'
import type { JobSpec } from './schemas/envelope.js'
import { JOB_STATES, type JobError, type JobRecord, type JobState } from './schemas/job-record.js'

/** The record part of a job's `jobs` entry; lua/includes/record.lua writes the same layout. */
export interface StoredRecord {
  state: JobState
  attempts: number
  stalls: number
  priority: number
  runAt: number
  startedAt: number
  finishedAt: number
}

export function decodeStoredRecord(raw: string): StoredRecord | null {
  const parts = raw.split('|')
  if (parts.length !== 8) return null
  const [state, attempts, stalls, priority, , runAt, startedAt, finishedAt] = parts
  if (!(JOB_STATES as readonly string[]).includes(state ?? '')) return null
  return {
    state: state as JobState,
    attempts: Number(attempts),
    stalls: Number(stalls),
    priority: Number(priority),
    runAt: Number(runAt),
    startedAt: Number(startedAt),
    finishedAt: Number(finishedAt),
  }
}

function parseJson(raw: string | null | undefined): unknown {
  if (raw === null || raw === undefined || raw === '') return undefined
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}

/** A stored `jobs` value: the record, a newline, the spec JSON (what splitStoredJob undoes). */
export function joinStoredJob(record: string, spec: string): string {
  return `${record}\n${spec}`
}

/** Splits a stored `jobs` value into its record and its spec JSON. */
export function splitStoredJob(value: string | null): { st: string | null; spec: string | null } {
  if (value === null) return { st: null, spec: null }
  const cut = value.indexOf('\n')
  // Not a record (written by hand, say): all of it counts as the spec.
  if (cut < 0) return { st: null, spec: value }
  const spec = value.slice(cut + 1)
  return { st: value.slice(0, cut), spec: spec === '' ? null : spec }
}

export interface RawJob {
  id: string
  queue: string
  spec: string | null
  st: string | null
  result?: string | null
  progress?: string | null
  error?: string | null
}

/**
 * Assembles what a reader sees from the stored pieces. A spec that is not valid JSON
 * (a poison message written by hand) still yields a record, with the raw text as
 * payload, so that an operator can see it and remove it.
 */
export function toJobRecord(raw: RawJob): JobRecord | null {
  if (raw.st === null && raw.spec === null) return null
  const rec = raw.st === null ? null : decodeStoredRecord(raw.st)
  const parsed = parseJson(raw.spec)
  const spec = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Partial<JobSpec>
  const record: JobRecord = {
    id: raw.id,
    queue: raw.queue,
    type: typeof spec.type === 'string' ? spec.type : 'unknown',
    payload: typeof parsed === 'object' ? spec.payload : parsed,
    attempts: rec?.attempts ?? 0,
    maxAttempts: spec.maxAttempts ?? DEFAULTS.maxAttempts,
    backoff: spec.backoff ?? DEFAULT_BACKOFF,
    priority: rec?.priority ?? spec.priority ?? DEFAULTS.priority,
    runAt: rec?.runAt ?? 0,
    createdAt: spec.createdAt ?? 0,
    timeout: spec.timeout ?? 0,
    state: rec?.state ?? 'queued',
    stalls: rec?.stalls ?? 0,
  }
  if (spec.idempotencyKey !== undefined) record.idempotencyKey = spec.idempotencyKey
  if (spec.traceparent !== undefined) record.traceparent = spec.traceparent
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
