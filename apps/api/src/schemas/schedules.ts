import { JobState, ScheduleName, ScheduleSpec } from '@conveyor/queue-core'
import Type from 'typebox'

export const ScheduleParams = Type.Object({ name: ScheduleName })

const Instant = Type.String({ description: 'UTC, ISO 8601' })

export const FireTimeView = Type.Object({
  utc: Instant,
  local: Type.String({ description: "on the schedule's wall clock, with its UTC offset" }),
})

export const LeaderView = Type.Object(
  {
    holder: Type.String({ description: 'the scheduler instance (host:pid:random)' }),
    token: Type.Integer({ description: 'its fencing token; every slot claim carries it' }),
    heldForMs: Type.Union([Type.Integer(), Type.Null()], {
      description: 'how long it has held the lease (Redis clock)',
    }),
    expiresInMs: Type.Integer({ description: 'until the lease runs out unless renewed' }),
  },
  { description: 'the scheduler that fires, if one leads' },
)

export const ScheduleView = Type.Object({
  name: ScheduleName,
  id: Type.String({ description: 'stable through edits and renames' }),
  source: Type.Union([Type.Literal('api'), Type.Literal('file')], {
    description: 'file: defined in SCHEDULES_FILE; the API may only pause, resume and run it',
  }),
  state: Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('finished')], {
    description: 'finished: nothing left to fire (limit reached, endAt passed)',
  }),
  revision: Type.Integer({ description: 'counts every change, pauses and resumes included' }),
  createdAt: Instant,
  updatedAt: Type.String({ description: 'when the current revision was written' }),
  fires: Type.Integer({ description: 'slots fired so far (run-nows not counted)' }),
  lastSlot: Type.Union([
    Type.Object({
      slot: Instant,
      state: Type.Union([
        Type.Literal('claimed'),
        Type.Literal('fired'),
        Type.Literal('skipped'),
        Type.Literal('failed'),
      ]),
    }),
    Type.Null(),
  ]),
  nextFire: Type.Union([FireTimeView, Type.Null()]),
  spec: ScheduleSpec,
})

export const ScheduleDetail = Type.Intersect([
  ScheduleView,
  Type.Object({
    next: Type.Array(FireTimeView, { description: 'the next 5 fire times' }),
    leader: Type.Union([LeaderView, Type.Null()]),
  }),
])

export const ScheduleList = Type.Object({
  schedules: Type.Array(ScheduleView),
  leader: Type.Union([LeaderView, Type.Null()]),
})

export const RunView = Type.Object({
  kind: Type.Union([Type.Literal('slot'), Type.Literal('catch-up'), Type.Literal('run')]),
  slot: Type.Union([Instant, Type.Null()], { description: 'null for a run-now' }),
  jobId: Type.Union([Type.String(), Type.Null()]),
  jobState: Type.Union([JobState, Type.Literal('gone'), Type.Null()], {
    description: "the job's state now; gone: trimmed by retention or deleted",
  }),
  firedAt: Instant,
  recovered: Type.Optional(Type.Boolean()),
  error: Type.Optional(Type.String()),
})

export const MissedView = Type.Object({
  reason: Type.Union([Type.Literal('missed'), Type.Literal('skipped')], {
    description: 'missed: passed over by catch-up "once"; skipped: catch-up "skip"',
  }),
  from: Instant,
  to: Instant,
  count: Type.Integer(),
  capped: Type.Optional(Type.Boolean({ description: 'there were more than counted' })),
  at: Instant,
})

export const ScheduleRuns = Type.Object({
  name: ScheduleName,
  runs: Type.Array(RunView, { description: 'the last 50 fires, newest first' }),
  missed: Type.Array(MissedView, { description: 'the last 50 missed or skipped spans' }),
})

export const RunNowResult = Type.Object({
  name: ScheduleName,
  jobId: Type.String(),
  statusUrl: Type.String(),
})
