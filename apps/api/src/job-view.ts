import type { JobRecord, JobSummary } from '@conveyor/queue-core'
import { redactPayload, type RedactionRules } from './payload-redaction.js'
import type { JobSummaryView, JobView } from './schemas/jobs.js'

export type { JobView } from './schemas/jobs.js'

export const FINAL_STATES: ReadonlySet<string> = new Set(['completed', 'dead', 'cancelled'])

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The record as the API shows it: times as ISO 8601 strings (the one form every HTTP
 * answer uses), and for a completed conversion where to download its result. The URL
 * is built from the upload id here, as the API is the one serving it.
 */
export function toJobView(job: JobRecord, redactions: RedactionRules): JobView {
  const { runAt, createdAt, startedAt, finishedAt, lastError, ...rest } = job
  const view: JobView = {
    ...rest,
    payload: redactPayload(redactions, job.type, job.payload),
    runAt: iso(runAt),
    createdAt: iso(createdAt),
  }
  if (startedAt !== undefined) view.startedAt = iso(startedAt)
  if (finishedAt !== undefined) view.finishedAt = iso(finishedAt)
  if (lastError !== undefined) view.lastError = { ...lastError, failedAt: iso(lastError.failedAt) }
  if (job.type !== 'convert' || job.state !== 'completed') return view
  const uploadId = (job.payload as { uploadId?: unknown } | undefined)?.uploadId
  if (typeof uploadId === 'string') view.downloadUrl = `/uploads/${uploadId}/result`
  return view
}

/**
 * A listing's summary with its times as ISO 8601 strings. A job type with fields to
 * hide shows its payload only redacted, and no cut preview (which could not be).
 */
export function toSummaryView(job: JobSummary, redactions: RedactionRules): JobSummaryView {
  const { runAt, createdAt, startedAt, finishedAt, payloadPreview, ...rest } = job
  const view: JobSummaryView = { ...rest, runAt: iso(runAt), createdAt: iso(createdAt) }
  if (redactions.has(job.type)) {
    if (job.payload !== undefined) view.payload = redactPayload(redactions, job.type, job.payload)
  } else if (payloadPreview !== undefined) {
    view.payloadPreview = payloadPreview
  }
  if (startedAt !== undefined) view.startedAt = iso(startedAt)
  if (finishedAt !== undefined) view.finishedAt = iso(finishedAt)
  return view
}
