export type JobState =
  'queued' | 'scheduled' | 'active' | 'retrying' | 'completed' | 'dead' | 'cancelled'

export const JOB_STATES: JobState[] = [
  'queued',
  'scheduled',
  'active',
  'retrying',
  'completed',
  'dead',
  'cancelled',
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

export interface HistoryPoint extends Outcomes {
  at: string
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
