import type { JobRecord } from '@conveyor/queue-core'

export type JobView = JobRecord & { downloadUrl?: string }

export const FINAL_STATES: ReadonlySet<string> = new Set(['completed', 'dead', 'cancelled'])

/**
 * The record as the API shows it; a completed conversion says where to download its
 * result. The URL is built from the upload id here, as the API is the one serving it.
 */
export function toJobView(job: JobRecord): JobView {
  if (job.type !== 'convert' || job.state !== 'completed') return job
  const uploadId = (job.payload as { uploadId?: unknown } | undefined)?.uploadId
  if (typeof uploadId !== 'string') return job
  return { ...job, downloadUrl: `/uploads/${uploadId}/result` }
}
