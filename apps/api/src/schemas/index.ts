/**
 * The API's HTTP schemas, one module for other packages (the typed client, the CLI, the
 * dashboard's types): the same TypeBox schemas the routes validate with and document in
 * OpenAPI.
 */
export { ErrorResponse, JobIdParams, PageQuery, QueueParams } from './common.js'
export {
  Accepted,
  BatchAccepted,
  BatchRequest,
  EnqueueStatus,
  JobRequest,
  MAX_BATCH,
  RunAt,
} from './enqueue.js'
export { QueueEventsQuery, QueueEventView } from './events.js'
export {
  IsoTime,
  JobErrorView,
  JobPage,
  JobSummaryView,
  JobView,
  ListJobsQuery,
  PageOnlyQuery,
  QueueList,
  QueueStatus,
  QueueSummary,
  RequeueResult,
} from './jobs.js'
export { GroupPage, GroupParams, GroupsQuery } from './limits.js'
export { UploadAccepted, UploadParams, UploadQuery } from './uploads.js'
export { FlowCreated, FlowIdParams, FlowInput, FlowViewApi, type FlowRequest } from './flows.js'
export { BatchIdParams, BatchJobsAdded, BatchViewApi } from './batches.js'
export {
  AuditEntry,
  AuditLog,
  BrowsePage,
  BulkStep,
  CountResult,
  DeadGroups,
  DeadGroupView,
  FlowGraph,
  History,
  HistoryPoint,
  Overview,
  QueueOverview,
  SessionView,
  WorkerList,
  WorkerView,
} from './dashboard.js'
export { GroupLimits, QueueLimits } from './limits.js'
export { RunView, ScheduleList, ScheduleRuns, ScheduleView } from './schedules.js'
