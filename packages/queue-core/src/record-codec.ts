import { JOB_STATES, type JobState } from './schemas/job-record.js'

/**
 * A job's mutable record as the `state` hash stores it, one line:
 * `state|attempts|stalls|priority|owner|runAt|startedAt|finishedAt`.
 * lua/includes/record.lua reads and writes the same layout; test/record-codec.test.ts
 * holds both to test/fixtures/record-codec.json.
 */
export interface StoredRecord {
  state: JobState
  attempts: number
  stalls: number
  priority: number
  /** the lease's owner token while active, else '' */
  owner: string
  /** when the job became due (ms on the Redis clock); 0 = at its spec's createdAt */
  runAt: number
  startedAt: number
  finishedAt: number
}

const RECORD = /^([a-z]+)\|(\d+)\|(\d+)\|(\d)\|([^|]*)\|(\d+)\|(\d+)\|(\d+)$/

export function decodeRecord(raw: string): StoredRecord | null {
  const m = RECORD.exec(raw)
  if (!m) return null
  const [, state, attempts, stalls, priority, owner, runAt, startedAt, finishedAt] = m
  if (!(JOB_STATES as readonly string[]).includes(state ?? '')) return null
  return {
    state: state as JobState,
    attempts: Number(attempts),
    stalls: Number(stalls),
    priority: Number(priority),
    owner: owner ?? '',
    runAt: Number(runAt),
    startedAt: Number(startedAt),
    finishedAt: Number(finishedAt),
  }
}

export function encodeRecord(r: StoredRecord): string {
  return [
    r.state,
    r.attempts,
    r.stalls,
    r.priority,
    r.owner,
    r.runAt,
    r.startedAt,
    r.finishedAt,
  ].join('|')
}
