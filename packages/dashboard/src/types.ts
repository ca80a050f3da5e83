// Every answer type is the Static of the schema the API validates and documents with
// (@conveyor/api/schemas), so a field the server adds, drops or renames shows up here at
// compile time. Type-only imports: esbuild erases them, no schema code enters the bundle.
// The dashboard cannot depend on @conveyor/api (which serves it), so src/tsconfig.json
// maps the specifier to the API's built declarations and turbo builds the API before the
// dashboard's typecheck and lint.
import type * as Api from '@conveyor/api/schemas'
import type { Static } from 'typebox'

/** GET /session: whether keys are on, and this tab's role. */
export type Session = Static<typeof Api.SessionView>
export type Role = NonNullable<Session['role']>

export type Overview = Static<typeof Api.Overview>
export type QueueOverview = Static<typeof Api.QueueOverview>
/** Completed, failed and retried jobs over a span. */
export type Outcomes = QueueOverview['lastHour']

export type JobSummary = Static<typeof Api.JobSummaryView>
export type JobState = JobSummary['state']
export type BrowsePage = Static<typeof Api.BrowsePage>
export type JobView = Static<typeof Api.JobView>

export type DeadGroups = Static<typeof Api.DeadGroups>
export type DeadGroup = Static<typeof Api.DeadGroupView>
/** How many jobs an action (one id list, a dead-letter group) acted on. */
export type CountResult = Static<typeof Api.CountResult>
/** One bounded step of a bulk action on everything matching a filter. */
export type BulkStep = Static<typeof Api.BulkStep>
export type WorkerList = Static<typeof Api.WorkerList>
export type WorkerView = Static<typeof Api.WorkerView>

export type History = Static<typeof Api.History>
export type HistoryPoint = Static<typeof Api.HistoryPoint>
/** Outcome counts with wait and run time percentiles, of a point or a span. */
export type HistoryCounts = Omit<History['total'], 'byType'>
/** Wait or run time percentiles (ms) of `count` jobs. */
export type Percentiles = NonNullable<HistoryCounts['runMs']>

export type AuditLog = Static<typeof Api.AuditLog>
export type AuditEntry = Static<typeof Api.AuditEntry>

export type ScheduleList = Static<typeof Api.ScheduleList>
export type ScheduleView = Static<typeof Api.ScheduleView>
export type ScheduleRuns = Static<typeof Api.ScheduleRuns>
export type ScheduleRun = Static<typeof Api.RunView>

export type FlowGraph = Static<typeof Api.FlowGraph>
export type FlowView = FlowGraph['flow']
export type FlowJob = FlowView['jobs'][number]
export type BatchView = Static<typeof Api.BatchViewApi>

export type QueueLimits = Static<typeof Api.QueueLimits>
export type GroupLimits = Static<typeof Api.GroupLimits>
export type RateLimit = NonNullable<QueueLimits['rate']>
export type GroupPage = Static<typeof Api.GroupPage>
export type GroupSummary = GroupPage['groups'][number]

/** Every state, in the order the queue screen's tabs show them. */
export const JOB_STATES: JobState[] = [
  'queued',
  'scheduled',
  'active',
  'retrying',
  'completed',
  'dead',
  'cancelled',
  'waiting',
]
