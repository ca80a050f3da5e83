export { ConveyorClient, FINAL_STATES, isFinal, type ClientOptions } from './client.js'
export { ConveyorApiError, isConveyorApiError, type ClientErrorCode } from './errors.js'
export type { BatchesApi } from './batches.js'
export type { FlowsApi } from './flows.js'
export type { LimitsApi } from './limits.js'
export type {
  Accepted,
  BatchCreated,
  BatchJob,
  BatchJobInput,
  BatchJobsAdded,
  BatchRequest,
  BatchView,
  CallOptions,
  EnqueueOptions,
  ErrorBody,
  FlowCreated,
  FlowEvent,
  FlowJobInput,
  FlowRequest,
  FlowState,
  FlowView,
  GroupLimits,
  GroupPage,
  GroupSummary,
  GroupsOptions,
  JobEvent,
  JobPage,
  JobState,
  JobView,
  JobSummaryView,
  ListOptions,
  QueueEventView,
  QueueLimits,
  QueueStatus,
  QueueSummary,
  RateLimit,
  RequeueResult,
} from './types.js'
