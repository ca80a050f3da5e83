import { BatchView } from '@conveyor/queue-core'
import Type, { type Static } from 'typebox'
import { IsoTime } from './jobs.js'

export { BatchCreated, BatchInput, BatchJobs } from '@conveyor/queue-core'

export const BatchIdParams = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9]{1,40}$', description: 'the batch id POST /batches gave' }),
})

/** A batch as the API shows it: times as ISO 8601. */
export const BatchViewApi = Type.Intersect([
  Type.Omit(BatchView, ['createdAt', 'finishedAt']),
  Type.Object({ createdAt: IsoTime, finishedAt: Type.Optional(IsoTime) }),
])
export type BatchViewApi = Static<typeof BatchViewApi>

export const BatchJobsAdded = Type.Object({
  jobs: Type.Array(Type.String(), { description: 'the ids of the jobs added, in order' }),
})
