import { readFile } from 'node:fs/promises'
import {
  compileChecker,
  ConveyorError,
  EnqueueOptionsSchema,
  isConveyorError,
  type JobTypeName,
  type PayloadOf,
} from '@conveyor/queue-core'
import { jobRegistry, type ConveyorJobTypes } from '@conveyor/service-kit'
import Type, { type Static } from 'typebox'
import { SlotCalendar } from './slot-calendar.js'

export const CatchUp = Type.Union([Type.Literal('once'), Type.Literal('skip')], {
  description: 'a missed slot: fire the most recent one once, or skip it',
})
export type CatchUp = Static<typeof CatchUp>

/**
 * Enqueue options a schedule may set. The job id is the scheduler's (it makes each slot
 * fire once) and so is idempotency; a fixed runAt would put every firing at one instant.
 */
export const ScheduleOptions = Type.Omit(
  EnqueueOptionsSchema,
  ['jobId', 'idempotencyKey', 'runAt'],
  {
    additionalProperties: false,
  },
)
export type ScheduleOptions = Static<typeof ScheduleOptions>

/** One schedule as written in SCHEDULES_FILE (a JSON array of these). */
export const ScheduleSpec = Type.Object(
  {
    name: Type.String({
      pattern: '^[A-Za-z0-9_.-]{1,64}$',
      description: 'unique; part of every job id it fires: sched:<name>:<slot ms>',
    }),
    cron: Type.String({ minLength: 1, description: 'croner syntax; a seconds field is allowed' }),
    type: Type.String({ description: 'a job type of the shared registry' }),
    payload: Type.Unknown({ description: "checked against the job type's schema at start-up" }),
    options: Type.Optional(ScheduleOptions),
    timezone: Type.Optional(Type.String({ minLength: 1, description: 'IANA name; default UTC' })),
    catchUp: Type.Optional(CatchUp),
    enabled: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
)
export type ScheduleSpec = Static<typeof ScheduleSpec>

type JobType = JobTypeName<ConveyorJobTypes>

/** A checked schedule, ready to fire. */
export interface Schedule {
  name: string
  cron: string
  type: JobType
  payload: PayloadOf<ConveyorJobTypes, JobType>
  options: ScheduleOptions
  timezone: string
  /** undefined: the scheduler's default (SCHEDULER_CATCH_UP) */
  catchUp: CatchUp | undefined
  enabled: boolean
  calendar: SlotCalendar
}

/** The schedules a scheduler runs when SCHEDULES_FILE is not set. */
export const SEED_SCHEDULES: readonly ScheduleSpec[] = [
  {
    name: 'email-reminder',
    cron: '* * * * *',
    type: 'email',
    payload: {
      to: 'user@example.com',
      subject: 'Nhắc nhở định kỳ',
      body: 'Đây là email nhắc nhở gửi định kỳ mỗi phút.',
    },
  },
  {
    name: 'sms-notice',
    cron: '*/5 * * * *',
    type: 'sms',
    payload: { phone: '+84912345678', message: 'Thông báo định kỳ' },
  },
]

// Fire times must not depend on the host's TZ: two schedulers on differently set hosts
// would compute different slots for "0 9 * * *".
const DEFAULT_TIMEZONE = 'UTC'
const checkSpec = compileChecker<ScheduleSpec>(ScheduleSpec)

/**
 * Checks a list of schedules completely (shape, job type, payload against the type's
 * schema, cron pattern, timezone, unique names) and reports every problem at once:
 * throws ConveyorError('config_invalid') with one line per problem, naming the
 * schedule and the field as a JSON pointer (`schedule "x": /payload/to ...`).
 */
export function parseSchedules(value: unknown, source: string): Schedule[] {
  if (!Array.isArray(value)) {
    throw new ConveyorError('config_invalid', `${source}: expected a JSON array of schedules`)
  }
  const problems: string[] = []
  const schedules: Schedule[] = []
  const names = new Set<string>()
  value.forEach((item: unknown, index) => {
    const label = labelOf(item, index)
    const report = (path: string, message: string) =>
      problems.push(`  ${label}: ${path} ${message}`)
    if (!checkSpec.check(item)) {
      for (const issue of checkSpec.issues(item)) report(issue.path, issue.message)
      return
    }
    if (names.has(item.name)) report('/name', 'is used by an earlier schedule')
    names.add(item.name)
    const schedule = toSchedule(item, report)
    if (schedule) schedules.push(schedule)
  })
  if (problems.length > 0) {
    throw new ConveyorError(
      'config_invalid',
      `${source}: invalid schedules\n${problems.join('\n')}`,
    )
  }
  return schedules
}

function toSchedule(
  spec: ScheduleSpec,
  report: (path: string, message: string) => void,
): Schedule | null {
  if (!jobRegistry.has(spec.type)) {
    const known = jobRegistry.names().join(', ')
    report('/type', `is not a known job type (known: ${known})`)
    return null
  }
  let payload: PayloadOf<ConveyorJobTypes, JobType> | null = null
  try {
    payload = jobRegistry.parsePayload(spec.type, spec.payload)
  } catch (err) {
    if (!isConveyorError(err)) throw err
    for (const d of err.details) report(d.path, d.message)
  }
  const timezone = spec.timezone ?? DEFAULT_TIMEZONE
  let calendar: SlotCalendar | null = null
  try {
    calendar = new SlotCalendar(spec.cron, timezone)
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    report(/timezone/i.test(message) ? '/timezone' : '/cron', message)
  }
  if (payload === null || calendar === null) return null
  return {
    name: spec.name,
    cron: spec.cron,
    type: spec.type,
    payload,
    options: spec.options ?? {},
    timezone,
    catchUp: spec.catchUp,
    enabled: spec.enabled ?? true,
    calendar,
  }
}

function labelOf(item: unknown, index: number): string {
  const name = (item as { name?: unknown } | null)?.name
  return typeof name === 'string' ? `schedule "${name}" (#${index})` : `schedule #${index}`
}

/**
 * The schedules from SCHEDULES_FILE, or the seed schedules when it is not set. Throws
 * ConveyorError('config_invalid') for a missing or unreadable file, bad JSON or any bad
 * schedule.
 */
export async function loadSchedules(file: string | undefined): Promise<Schedule[]> {
  if (file === undefined) return parseSchedules(SEED_SCHEDULES, 'seed schedules')
  const source = `SCHEDULES_FILE ${file}`
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new ConveyorError('config_invalid', `${source}: cannot read: ${errorText(err)}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new ConveyorError('config_invalid', `${source}: not valid JSON: ${errorText(err)}`)
  }
  return parseSchedules(value, source)
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
