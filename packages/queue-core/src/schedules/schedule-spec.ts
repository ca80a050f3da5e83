import Type, { type Static, type TSchema } from 'typebox'
import { EnqueueOptions } from '../schemas/envelope.js'

/** What the leader does with slots that passed while nobody could fire them. */
export const CatchUp = Type.Union(
  [Type.Literal('once'), Type.Literal('skip'), Type.Literal('all')],
  {
    description:
      'a missed slot: "once" fires the most recent one once, "skip" none, "all" each of them, oldest first',
  },
)
export type CatchUp = Static<typeof CatchUp>

/**
 * Enqueue options a schedule may set. The job id is the scheduler's (it makes each slot
 * fire once) and so is idempotency; a fixed runAt would put every firing at one instant.
 */
export const ScheduleOptions = Type.Omit(EnqueueOptions, ['jobId', 'idempotencyKey', 'runAt'], {
  additionalProperties: false,
})
export type ScheduleOptions = Static<typeof ScheduleOptions>

export const ScheduleName = Type.String({
  pattern: '^[A-Za-z0-9_.-]{1,64}$',
  description: 'unique; part of every job id it fires: sched:<name>:<slot ms>',
})

const Instant = Type.String({
  format: 'date-time',
  description: 'RFC 3339 with an offset, e.g. 2026-01-01T08:00:00+07:00',
})

/** Longest fixed interval: a leap year. */
const MAX_EVERY_MS = 366 * 86_400_000

const Cron = Type.String({
  minLength: 1,
  maxLength: 256,
  description: 'croner syntax; a leading seconds field is allowed; one of cron or everyMs',
})
const EveryMs = Type.Integer({
  minimum: 1000,
  maximum: MAX_EVERY_MS,
  description:
    'a fixed interval: slots at startAt + k × everyMs, or at multiples of it since the epoch',
})
const Timezone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA name; default UTC' })
const JobType = Type.String({ minLength: 1, maxLength: 64, description: 'a registered job type' })
const Payload = Type.Unknown({ description: "checked against the job type's schema" })
const Limit = Type.Integer({
  minimum: 1,
  maximum: 1_000_000_000,
  description: 'how many slots fire in all; then the schedule is finished',
})
const Enabled = Type.Boolean({
  description: 'false: stored paused; a change of this field pauses or resumes',
})

const specFields = {
  cron: Type.Optional(Cron),
  everyMs: Type.Optional(EveryMs),
  timezone: Type.Optional(Timezone),
  type: JobType,
  payload: Payload,
  options: Type.Optional(ScheduleOptions),
  catchUp: Type.Optional(CatchUp),
  startAt: Type.Optional(Instant),
  endAt: Type.Optional(Instant),
  limit: Type.Optional(Limit),
  enabled: Type.Optional(Enabled),
}

/** A schedule as PUT /schedules/:name takes it: the SCHEDULES_FILE entry without its name. */
export const ScheduleSpec = Type.Object(specFields, { additionalProperties: false })
export type ScheduleSpec = Static<typeof ScheduleSpec>

/** One entry of SCHEDULES_FILE (a JSON array of these). */
export const ScheduleFileEntry = Type.Object(
  { name: ScheduleName, ...specFields },
  { additionalProperties: false },
)
export type ScheduleFileEntry = Static<typeof ScheduleFileEntry>

function orNull<T extends TSchema>(schema: T) {
  return Type.Optional(Type.Union([schema, Type.Null()]))
}

/**
 * PATCH /schedules/:name: the fields to change, at the top level (payload and options
 * are replaced whole); null removes an optional field; `name` renames the schedule,
 * which keeps its identity and so its record of fired slots.
 */
export const SchedulePatch = Type.Object(
  {
    name: Type.Optional(ScheduleName),
    cron: orNull(Cron),
    everyMs: orNull(EveryMs),
    timezone: orNull(Timezone),
    type: Type.Optional(JobType),
    payload: Type.Optional(Payload),
    options: orNull(ScheduleOptions),
    catchUp: orNull(CatchUp),
    startAt: orNull(Instant),
    endAt: orNull(Instant),
    limit: orNull(Limit),
    enabled: orNull(Enabled),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type SchedulePatch = Static<typeof SchedulePatch>
