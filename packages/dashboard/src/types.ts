export type JobState =
  | 'queued'
  | 'scheduled'
  | 'active'
  | 'retrying'
  | 'completed'
  | 'dead'
  | 'cancelled'
  /** a flow job waiting for its parents */
  | 'waiting'

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

export interface Outcomes {
  completed: number
  failed: number
  retried: number
}

export interface QueueOverview extends Record<JobState, number> {
  name: string
  paused: boolean
  oldestQueuedAgeMs: number | null
  workersAlive: number
  lastHour: Outcomes
  lastDay: Outcomes
}

export interface Overview {
  queues: QueueOverview[]
  workersAlive: number
  at: string
}

export interface JobSummary {
  id: string
  queue: string
  type: string
  /** the group the job belongs to, if any */
  group?: string
  state: JobState
  attempts: number
  maxAttempts: number
  priority: number
  runAt: string
  createdAt: string
  startedAt?: string
  finishedAt?: string
  payloadBytes: number
  payload?: unknown
  payloadPreview?: string
  lastError?: { message: string; code?: string }
}

export interface BrowsePage {
  jobs: JobSummary[]
  next: string | null
  scanned: number
  total: number
}

export interface JobView extends Omit<JobSummary, 'lastError'> {
  stalls: number
  progress?: unknown
  result?: unknown
  backoff?: unknown
  timeoutMs?: number
  traceparent?: string
  lastError?: { message: string; code?: string; stack?: string; attempt: number; failedAt: string }
  downloadUrl?: string
  flow?: { id: string; node: string }
  batch?: string
  group?: string
}

export interface DeadGroup {
  fingerprint: string
  count: number
  firstSeen: string
  lastSeen: string
  types: string[]
  sample: { id: string; message: string; code?: string }
}

export interface WorkerView {
  id: string
  queue: string
  host: string
  pid: number
  version: string
  concurrency: number
  busy: number
  running: string[]
  rssBytes: number
  startedAt: string
  heartbeatAt: string
  heartbeatAgeMs: number
  status: 'alive' | 'stale' | 'dead'
}

/** Wait or run time percentiles (ms) of `count` jobs. */
export interface Percentiles {
  count: number
  p50: number
  p95: number
  p99: number
}

export interface HistoryCounts extends Outcomes {
  waitMs?: Percentiles
  runMs?: Percentiles
}

export interface HistoryPoint extends HistoryCounts {
  at: string
  byType: Record<string, HistoryCounts>
}

export interface History {
  queue: string
  resolution: 'minute' | 'hour'
  points: HistoryPoint[]
  total: HistoryCounts & { byType: Record<string, HistoryCounts> }
}

export interface AuditEntry {
  at: string
  key: string
  action: string
  target: string
  count?: number
  status: number
}

export interface ScheduleView {
  name: string
  source: 'api' | 'file'
  state: 'active' | 'paused' | 'finished'
  fires: number
  lastSlot: { slot: string; state: string } | null
  nextFire: { utc: string; local: string } | null
  spec: Record<string, unknown>
}

export interface ScheduleRun {
  kind: string
  slot: string | null
  jobId: string | null
  jobState: string | null
  firedAt: string
  error?: string
}

export interface FlowJob {
  node: string
  id: string
  state: JobState | 'unknown'
  dependsOn: string[]
}

export interface FlowView {
  id: string
  name?: string
  state: 'running' | 'completed' | 'failed' | 'cancelled'
  createdAt: string
  finishedAt?: string
  counts: { total: number; finished: number; dead: number; cancelled: number }
  jobs: FlowJob[]
}

/** GET /flows/:id/graph: the flow and its jobs' types (absent for a flow too big to draw). */
export interface FlowGraph {
  flow: FlowView
  types?: Record<string, string>
}

export interface BatchView {
  id: string
  name?: string
  state: 'open' | 'closed' | 'done'
  createdAt: string
  finishedAt?: string
  counts: { total: number; completed: number; dead: number; cancelled: number; pending: number }
  failed: string[]
  callbacks: { onSuccess?: string; onComplete?: string }
}

export interface RateLimit {
  max: number
  perMs: number
}

export interface GroupLimits {
  concurrency?: number
  rate?: RateLimit
}

export interface QueueLimits {
  rate?: RateLimit
  groups?: GroupLimits
}

export interface GroupSummary {
  group: string
  queued: number
  running: number
}

export interface GroupPage {
  groups: GroupSummary[]
  cursor: string | null
}
