import { JobRecord, JobState, QueueCounts } from '@conveyor/queue-core'
import Type from 'typebox'
import { PageQuery } from './common.js'

/** A job as GET /jobs/:id shows it: the queue-core record, plus where a result is served. */
export const JobView = Type.Intersect([
  JobRecord,
  Type.Object({
    downloadUrl: Type.Optional(
      Type.String({ description: 'for a completed conversion: GET it for the result' }),
    ),
  }),
])

export const JobPage = Type.Object({
  jobs: Type.Array(JobView),
  total: Type.Integer(),
  offset: Type.Integer(),
  limit: Type.Integer(),
})

export const ListJobsQuery = Type.Object({
  state: Type.Optional(JobState),
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
