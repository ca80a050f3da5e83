import { Group, JobError, JobRecord, JobState, JobSummary, QueueCounts } from '@conveyor/queue-core'
import Type, { type Static } from 'typebox'
import { PageQuery } from './common.js'

/** Every time in an HTTP answer: an ISO 8601 string in UTC, e.g. 2026-03-01T09:30:00.000Z. */
export const IsoTime = Type.String({ format: 'date-time', description: 'ISO 8601, UTC' })

/** The last failure of a job, its time as ISO 8601. */
export const JobErrorView = Type.Intersect([
  Type.Omit(JobError, ['failedAt']),
  Type.Object({ failedAt: IsoTime }),
])

/**
 * A job as GET /jobs/:id shows it: the queue-core record with its times as ISO 8601
 * strings, plus where a result is served.
 */
export const JobView = Type.Intersect([
  Type.Omit(JobRecord, ['runAt', 'createdAt', 'startedAt', 'finishedAt', 'lastError']),
  Type.Object({
    runAt: IsoTime,
    createdAt: IsoTime,
    startedAt: Type.Optional(IsoTime),
    finishedAt: Type.Optional(IsoTime),
    lastError: Type.Optional(JobErrorView),
    downloadUrl: Type.Optional(
      Type.String({ description: 'for a completed conversion: GET it for the result' }),
    ),
  }),
])
export type JobView = Static<typeof JobView>

/**
 * A job as a listing shows it: bounded in size (no result; the payload only when at most
 * 1 KB of JSON, else a cut preview or, for a big one, its size alone; the last error's
 * message cut to 300 characters). GET /jobs/:id for all of it.
 */
export const JobSummaryView = Type.Intersect([
  Type.Omit(JobSummary, ['runAt', 'createdAt', 'startedAt', 'finishedAt']),
  Type.Object({
    runAt: IsoTime,
    createdAt: IsoTime,
    startedAt: Type.Optional(IsoTime),
    finishedAt: Type.Optional(IsoTime),
  }),
])
export type JobSummaryView = Static<typeof JobSummaryView>

export const JobPage = Type.Object({
  jobs: Type.Array(JobSummaryView),
  total: Type.Integer(),
  offset: Type.Integer(),
  limit: Type.Integer(),
})

export const ListJobsQuery = Type.Object({
  state: Type.Optional(JobState),
  group: Type.Optional(Group),
  ...PageQuery,
})

export const PageOnlyQuery = Type.Object(PageQuery)

export const QueueSummary = Type.Intersect([Type.Object({ name: Type.String() }), QueueCounts])

export const QueueList = Type.Object({ queues: Type.Array(QueueSummary) })

export const QueueStatus = Type.Object({ queue: Type.String(), paused: Type.Boolean() })

export const RequeueResult = Type.Object({
  queue: Type.String(),
  requeued: Type.Integer({ description: 'how many dead jobs went back in line' }),
})
