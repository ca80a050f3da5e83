export { ConveyorClient, FINAL_STATES, isFinal, type ClientOptions } from './client.js'
export { ConveyorApiError, isConveyorApiError, type ClientErrorCode } from './errors.js'
export type {
  Accepted,
  BatchJob,
  CallOptions,
  EnqueueOptions,
  ErrorBody,
  JobEvent,
  JobPage,
  JobState,
  JobView,
  JobSummaryView,
  ListOptions,
  QueueEventView,
  QueueStatus,
  QueueSummary,
  RequeueResult,
} from './types.js'
