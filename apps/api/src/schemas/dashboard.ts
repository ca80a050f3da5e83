import { Group, JobState, QueueCounts, QueueName } from '@conveyor/queue-core'
import Type from 'typebox'
import { FlowViewApi } from './flows.js'
import { IsoTime, JobSummaryView } from './jobs.js'

const Role = Type.Union([Type.Literal('read'), Type.Literal('operate'), Type.Literal('admin')])

export const SessionView = Type.Object({
  authRequired: Type.Boolean(),
  role: Type.Optional(Role),
  name: Type.Optional(Type.String()),
  csrf: Type.Optional(Type.String({ description: 'send as x-csrf-token on every mutation' })),
})

export const SessionLogin = Type.Object({ key: Type.String({ minLength: 1, maxLength: 1024 }) })

const PRECISION =
  'ms, read off half-octave histogram buckets (off by at most a factor √2, usually by a few %; ' +
  'a time over 2^24 ms, 4.7 h, counts as 2^24)'

/** Percentiles of wait or run times: `description` says which. */
const latency = (description: string) =>
  Type.Object(
    {
      count: Type.Integer({ description: 'times counted' }),
      p50: Type.Number(),
      p95: Type.Number(),
      p99: Type.Number(),
    },
    { description: `${description}; ${PRECISION}` },
  )

const Counts = {
  completed: Type.Integer(),
  failed: Type.Integer(),
  retried: Type.Integer(),
  waitMs: Type.Optional(
    latency('from due (enqueue, delay or retry time) to start; absent when no job started'),
  ),
  runMs: Type.Optional(
    latency("the handler's wall time of the runs counted above; absent when none ended"),
  ),
}

export const QueueOverview = Type.Intersect([
  Type.Object({
    name: Type.String(),
    oldestQueuedAgeMs: Type.Union([Type.Integer(), Type.Null()]),
    workersAlive: Type.Integer(),
    lastHour: Type.Object(Counts),
    lastDay: Type.Object(Counts),
  }),
  QueueCounts,
])

export const Overview = Type.Object({
  queues: Type.Array(QueueOverview),
  workersAlive: Type.Integer(),
  at: IsoTime,
})

export const BrowseQuery = Type.Object({
  state: Type.Optional(JobState),
  cursor: Type.Optional(Type.String({ maxLength: 300 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  type: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  group: Type.Optional(Group),
  text: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'text inside the stored payload' }),
  ),
  budgetMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 5000, default: 250 })),
})

export const BrowsePage = Type.Object({
  jobs: Type.Array(JobSummaryView),
  next: Type.Union([Type.String(), Type.Null()], { description: 'cursor of the next page' }),
  scanned: Type.Integer({ description: 'jobs this call examined' }),
  total: Type.Integer({ description: 'jobs in the state' }),
})

export const DeadGroupView = Type.Object({
  fingerprint: Type.String(),
  count: Type.Integer(),
  firstSeen: IsoTime,
  lastSeen: IsoTime,
  types: Type.Array(Type.String()),
  sample: Type.Object({
    id: Type.String(),
    message: Type.String(),
    code: Type.Optional(Type.String()),
  }),
})

export const DeadGroups = Type.Object({
  groups: Type.Array(DeadGroupView),
  scanned: Type.Integer(),
  total: Type.Integer(),
})

export const DeadGroupAction = Type.Object({
  fingerprint: Type.String({ minLength: 1, maxLength: 300 }),
  action: Type.Union([Type.Literal('retry'), Type.Literal('remove')]),
})

export const CountResult = Type.Object({ count: Type.Integer({ description: 'jobs acted on' }) })

export const BulkAction = Type.Union([
  Type.Literal('retry'),
  Type.Literal('cancel'),
  Type.Literal('remove'),
])

export const BulkByIds = Type.Object({
  action: BulkAction,
  ids: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 1000 }),
})

export const BulkByFilter = Type.Object({
  action: BulkAction,
  state: JobState,
  type: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  group: Type.Optional(Group),
  text: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  cursor: Type.Optional(Type.String({ maxLength: 300 })),
  max: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1000, default: 500, description: 'jobs per call' }),
  ),
})

export const BulkStep = Type.Object({
  count: Type.Integer({ description: 'jobs acted on by this call' }),
  scanned: Type.Integer(),
  total: Type.Integer(),
  next: Type.Union([Type.String(), Type.Null()], {
    description: 'call again with this cursor to go on; null when done',
  }),
})

export const WorkerView = Type.Object({
  id: Type.String(),
  queue: Type.String(),
  host: Type.String(),
  pid: Type.Integer(),
  version: Type.String(),
  concurrency: Type.Integer(),
  busy: Type.Integer(),
  running: Type.Array(Type.String()),
  rssBytes: Type.Integer(),
  startedAt: IsoTime,
  heartbeatAt: IsoTime,
  heartbeatAgeMs: Type.Integer(),
  status: Type.Union([Type.Literal('alive'), Type.Literal('stale'), Type.Literal('dead')]),
})

export const WorkerList = Type.Object({ workers: Type.Array(WorkerView) })

export const HistoryQuery = Type.Object({
  resolution: Type.Optional(
    Type.Union([Type.Literal('minute'), Type.Literal('hour')], { default: 'minute' }),
  ),
  hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720, default: 1 })),
})

const CountsByType = Type.Record(Type.String(), Type.Object(Counts), {
  description: 'the same per job type',
})

export const HistoryPoint = Type.Object({ at: IsoTime, ...Counts, byType: CountsByType })

export const History = Type.Object({
  queue: QueueName,
  resolution: Type.Union([Type.Literal('minute'), Type.Literal('hour')]),
  points: Type.Array(HistoryPoint),
  total: Type.Object(
    { ...Counts, byType: CountsByType },
    { description: 'the sum of the points; percentiles of all their times together' },
  ),
})

export const ReenqueueBody = Type.Object({
  payload: Type.Unknown({ description: "the new payload, checked against the type's schema" }),
})

export const AuditEntry = Type.Object({
  at: IsoTime,
  key: Type.String({ description: 'the API key name (or id); "anonymous" without keys' }),
  action: Type.String({ description: 'method and route, e.g. POST /jobs/:id/retry' }),
  target: Type.String(),
  count: Type.Optional(Type.Integer()),
  status: Type.Integer(),
})

export const AuditLog = Type.Object({ entries: Type.Array(AuditEntry) })

export const AuditQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
})

/** The most jobs of a flow whose types GET /flows/:id/graph reads: a bigger flow is no graph to draw. */
export const MAX_GRAPH_JOBS = 500

export const FlowGraph = Type.Object({
  flow: FlowViewApi,
  types: Type.Optional(
    Type.Record(Type.String(), Type.String(), {
      description: `each job's type by its id in the flow; absent for a flow of more than ${MAX_GRAPH_JOBS} jobs`,
    }),
  ),
})
