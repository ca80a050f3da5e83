import type { JobRecord, JobSummary } from '@conveyor/queue-core'
import type { JobSummaryView, JobView } from './schemas/jobs.js'

export type { JobView } from './schemas/jobs.js'

export const FINAL_STATES: ReadonlySet<string> = new Set(['completed', 'dead', 'cancelled'])

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The record as the API shows it: times as ISO 8601 strings (the one form every HTTP
 * answer uses), and for a completed conversion where to download its result. The URL
 * is built from the upload id here, as the API is the one serving it.
 */
export function toJobView(job: JobRecord): JobView {
  const { runAt, createdAt, startedAt, finishedAt, lastError, ...rest } = job
  const view: JobView = { ...rest, runAt: iso(runAt), createdAt: iso(createdAt) }
  if (startedAt !== undefined) view.startedAt = iso(startedAt)
  if (finishedAt !== undefined) view.finishedAt = iso(finishedAt)
  if (lastError !== undefined) view.lastError = { ...lastError, failedAt: iso(lastError.failedAt) }
  if (job.type !== 'convert' || job.state !== 'completed') return view
  const uploadId = (job.payload as { uploadId?: unknown } | undefined)?.uploadId
  if (typeof uploadId === 'string') view.downloadUrl = `/uploads/${uploadId}/result`
  return view
}

/** A listing's summary with its times as ISO 8601 strings. */
export function toSummaryView(job: JobSummary): JobSummaryView {
  const { runAt, createdAt, startedAt, finishedAt, ...rest } = job
  const view: JobSummaryView = { ...rest, runAt: iso(runAt), createdAt: iso(createdAt) }
  if (startedAt !== undefined) view.startedAt = iso(startedAt)
  if (finishedAt !== undefined) view.finishedAt = iso(finishedAt)
  return view
}
