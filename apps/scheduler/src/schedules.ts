import { readFile } from 'node:fs/promises'
import {
  compileChecker,
  ConveyorError,
  ScheduleName,
  scheduleIssues,
  type ScheduleFileEntry,
  type ScheduleSpec,
} from '@conveyor/queue-core'
import { jobRegistry } from '@conveyor/service-kit'

/** The schedules a scheduler stores as file-managed when SCHEDULES_FILE is not set. */
export const SEED_SCHEDULES: readonly ScheduleFileEntry[] = [
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

const checkName = compileChecker<string>(ScheduleName)

/**
 * Checks a list of schedules completely, as the API checks one (shape, cron or everyMs,
 * cron pattern, timezone, job type, payload against the type's schema, options,
 * startAt before endAt, unique names), and reports every problem at once: throws
 * ConveyorError('config_invalid') with one line per problem, naming the schedule and
 * the field as a JSON pointer (`schedule "x" (#0): /payload/to ...`).
 */
export function parseSchedules(value: unknown, source: string): ScheduleFileEntry[] {
  if (!Array.isArray(value)) {
    throw new ConveyorError('config_invalid', `${source}: expected a JSON array of schedules`)
  }
  const problems: string[] = []
  const entries: ScheduleFileEntry[] = []
  const names = new Set<string>()
  value.forEach((item: unknown, index) => {
    const label = labelOf(item, index)
    const report = (path: string, message: string) =>
      problems.push(`  ${label}: ${path} ${message}`)
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      report('/', 'must be an object')
      return
    }
    const { name, ...spec } = item as { name?: unknown } & Record<string, unknown>
    const nameIssues =
      name === undefined
        ? [{ path: '/name', message: 'is required' }]
        : checkName.issues(name, '/name')
    const issues = [...nameIssues, ...scheduleIssues(spec, jobRegistry)]
    for (const issue of issues) report(issue.path, issue.message)
    if (typeof name !== 'string' || issues.length > 0) return
    if (names.has(name)) report('/name', 'is used by an earlier schedule')
    names.add(name)
    entries.push({ name, ...(spec as ScheduleSpec) })
  })
  if (problems.length > 0) {
    throw new ConveyorError(
      'config_invalid',
      `${source}: invalid schedules\n${problems.join('\n')}`,
    )
  }
  return entries
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
export async function loadSchedules(file: string | undefined): Promise<ScheduleFileEntry[]> {
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
