export { backoffDelay, DEFAULT_BACKOFF } from './backoff.js'
export type { RedisConnection } from './connection.js'
export { DEFAULTS, type RetentionOptions } from './defaults.js'
export { Conveyor, type ConveyorOptions, type FoundJob } from './conveyor.js'
export {
  ConveyorError,
  isConveyorError,
  type ConveyorErrorCode,
  type FieldIssue,
} from './errors.js'
export type { HandlerMap, JobContext, JobHandler, JobInfo, WorkerEvents } from './job-context.js'
export { parseJobId, toJobId } from './job-id.js'
export {
  isValidQueueName,
  PRIORITY_LEVELS,
  queueKeys,
  STORAGE_FORMAT,
  type QueueKeys,
} from './keys.js'
export type { MigrationReport } from './migrate.js'
export { LimitsStore, type GroupPage, type LimitWaiting } from './limits/limits-store.js'
export { GroupLimits, GroupSummary, QueueLimits, RateLimit } from './limits/limits-schema.js'
export { isRedisUnavailable, isWriteRefused, redisCall, toConveyorError } from './redis-errors.js'
export { probeRedis, type RedisHealth } from './write-probe.js'
export {
  PreparedJobs,
  Queue,
  type BulkJob,
  type EnqueueOptions,
  type EnqueueResult,
  type JobPage,
  type ListPage,
  type QueueOptions,
} from './queue.js'
export {
  defineJobTypes,
  JobRegistry,
  type JobTypeDefaults,
  type JobTypeDefinition,
  type JobTypeMap,
  type JobTypeName,
  type PayloadOf,
} from './registry.js'
export { builtinJobTypes } from './builtin-job-types.js'
export { BackoffPolicy } from './schemas/backoff.js'
export { ConvertPayload } from './schemas/convert.js'
export { EMAIL_TEXT_MAX_CHARS, EmailPayload } from './schemas/email.js'
export {
  EnqueueOptions as EnqueueOptionsSchema,
  Group,
  JobEnvelope,
  JobId,
  LocalJobId,
  MAX_SCHEDULE_AHEAD_MS,
  Priority,
  Traceparent,
} from './schemas/envelope.js'
export {
  JOB_STATES,
  JobError,
  JobRecord,
  JobState,
  JobSummary,
  LimitKind,
  QueueCounts,
  SUMMARY_PAYLOAD_BYTES,
} from './schemas/job-record.js'
export { SmsPayload } from './schemas/sms.js'
export { KEY_PREFIX_PATTERN, KeyPrefix, QueueName } from './schemas/names.js'
export { compileChecker, type Checker } from './validation.js'
export { HISTOGRAM_BUCKETS_MS, type Histogram, type QueueMetrics } from './metrics.js'
export { QueueEvents, type QueueEvent, type QueueEventsOptions } from './queue-events.js'
export { Worker, type WorkerOptions } from './worker.js'
export { MAX_ERROR_TEXT } from './thrown.js'
export * from './schedules/index.js'
export * from './workflows/index.js'
export { QueueInspector, type RegisteredWorker } from './queue-inspector.js'
export { MAX_BROWSE_PAGE, type BrowseOptions, type BrowsePage } from './job-browser.js'
export {
  errorFingerprint,
  MAX_GROUPED,
  type DeadLetterGroup,
  type DeadLetterGroups,
} from './dead-letter-groups.js'
export type { WorkerInfo, WorkerStatus } from './worker-registry.js'
export type { HistoryCounts, HistoryPoint, HistoryWindow, Outcome } from './metrics-history.js'
export type { LatencySummary } from './latency-buckets.js'
export { auditLogKey, idempotentRequestKey } from './keys.js'
export { RequestClaims, type ClaimOutcome } from './request-claims.js'
