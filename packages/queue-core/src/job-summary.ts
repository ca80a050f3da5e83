import { decodeRecord } from './record-codec.js'
import { SUMMARY_PAYLOAD_BYTES, type JobError, type JobSummary } from './schemas/job-record.js'
import { decodeHead, decodeSpec, type ResolvedSpec } from './spec-codec.js'

/** An error message in a summary is cut to this many characters. */
const SUMMARY_ERROR_CHARS = 300

/** What a summary is made of, as read from the queue's hashes. */
export interface SummaryParts {
  id: string
  queue: string
  /** bytes of the stored spec */
  specBytes: number
  /** the whole spec, when it was small enough to read; else its head */
  spec: string | null
  head: string | null
  state: string | null
  error: string | null
}

function readable(parts: SummaryParts): { spec: ResolvedSpec | null; payloadJson: string | null } {
  try {
    if (parts.spec !== null) {
      // Small (it was read whole): its payload's JSON again, exact whatever the field order.
      const spec = decodeSpec(parts.spec)
      return { spec, payloadJson: JSON.stringify(spec.payload) ?? 'null' }
    }
    if (parts.head !== null) return { spec: decodeHead(parts.head), payloadJson: null }
  } catch {
    // a poison message: shown as a job of type "unknown"
  }
  return { spec: null, payloadJson: null }
}

function lastError(raw: string | null): JobSummary['lastError'] {
  if (raw === null) return undefined
  try {
    const e = JSON.parse(raw) as Partial<JobError>
    const message = String(e.message ?? '').slice(0, SUMMARY_ERROR_CHARS)
    return typeof e.code === 'string' ? { message, code: e.code } : { message }
  } catch {
    return { message: raw.slice(0, SUMMARY_ERROR_CHARS) }
  }
}

/** A job's summary from its parts; null when there is no job. */
export function toJobSummary(parts: SummaryParts): JobSummary | null {
  if (parts.specBytes === 0 && parts.state === null) return null
  const rec = parts.state === null ? null : decodeRecord(parts.state)
  const { spec, payloadJson } = readable(parts)
  const headBytes = parts.head?.length ?? 0
  const payloadBytes =
    payloadJson !== null
      ? Buffer.byteLength(payloadJson)
      : Math.max(0, parts.specBytes - headBytes - ',"payload":'.length)
  const summary: JobSummary = {
    id: parts.id,
    queue: parts.queue,
    type: spec?.type ?? 'unknown',
    state: rec?.state ?? 'queued',
    attempts: rec?.attempts ?? 0,
    maxAttempts: spec?.maxAttempts ?? 1,
    priority: rec?.priority ?? spec?.priority ?? 5,
    runAt: rec && rec.runAt > 0 ? rec.runAt : (spec?.createdAt ?? 0),
    createdAt: spec?.createdAt ?? 0,
    payloadBytes,
  }
  if (spec?.group !== undefined) summary.group = spec.group
  if (rec && rec.startedAt > 0) summary.startedAt = rec.startedAt
  if (rec && rec.finishedAt > 0) summary.finishedAt = rec.finishedAt
  if (payloadJson !== null) {
    if (payloadBytes <= SUMMARY_PAYLOAD_BYTES) summary.payload = spec?.payload
    else summary.payloadPreview = payloadJson.slice(0, SUMMARY_PAYLOAD_BYTES)
  }
  const error = lastError(parts.error)
  if (error) summary.lastError = error
  return summary
}
