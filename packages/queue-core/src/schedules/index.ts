export type { LeaderInfo } from './leader-info.js'
export { checkSchedule, scheduleIssues } from './schedule-check.js'
export { syncScheduleFile, type FileSyncResult } from './schedule-file-sync.js'
export {
  scheduleState,
  upcomingFires,
  type FireTime,
  type ScheduleState,
  type UpcomingInput,
} from './schedule-inspect.js'
export { slotJobId } from './schedule-job-ids.js'
export { schedulerKeys, type SchedulerKeys } from './schedule-keys.js'
export type { StoredSchedule } from './schedule-reads.js'
export {
  decodeHistory,
  decodeRevision,
  decodeSlotRecord,
  KEEP_RUNS,
  type MissedEntry,
  type PendingJob,
  type Revision,
  type RevisionBody,
  type RevisionStatus,
  type RunEntry,
  type ScheduleSource,
  type SlotRecord,
  type SlotState,
} from './schedule-record.js'
export {
  CatchUp,
  ScheduleFileEntry,
  ScheduleName,
  ScheduleOptions,
  SchedulePatch,
  ScheduleSpec,
} from './schedule-spec.js'
export { ScheduleStore, type ScheduledJob, type ScheduleStoreOptions } from './schedule-store.js'
export { calendarOf, type CalendarSpec, type SlotCalendar } from './slot-calendar.js'
export { formatInZone } from './zoned-time.js'
