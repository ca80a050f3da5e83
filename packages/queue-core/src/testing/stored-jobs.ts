import { decodeStoredRecord, joinStoredJob, splitStoredJob } from '../job-record.js'

// A job never reserved, at the default priority, due at once.
const QUEUED_RECORD = 'queued|0|0|5||0|0|0'

/**
 * The `jobs` hash value of a queued job with this spec text, as the scripts store it:
 * for a test that writes a job by hand (a poison message, say) and pushes its id to a
 * ready list.
 */
export function storedQueuedJob(spec: string): string {
  return joinStoredJob(QUEUED_RECORD, spec)
}

/** The state a `jobs` hash value records; null when there is no value or no record. */
export function storedState(value: string | null): string | null {
  const { st } = splitStoredJob(value)
  return st === null ? null : (decodeStoredRecord(st)?.state ?? null)
}
