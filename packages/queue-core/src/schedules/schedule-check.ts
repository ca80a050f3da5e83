import { ConveyorError, isConveyorError, type FieldIssue } from '../errors.js'
import type { JobRegistry } from '../registry.js'
import { compileChecker } from '../validation.js'
import { ScheduleSpec } from './schedule-spec.js'
import { calendarOf, CronCalendar, DEFAULT_TIMEZONE } from './slot-calendar.js'

const checkShape = compileChecker<ScheduleSpec>(ScheduleSpec)

// Croner also takes an ISO date as a one-off "pattern"; a schedule says that with
// startAt and limit 1, so a date in `cron` is a mistake.
const LOOKS_LIKE_DATE = /^\d{4}-\d{2}-\d{2}/

/**
 * Every problem with a schedule's spec, each naming its field as a JSON pointer under
 * `at`: the shape, cron or everyMs (exactly one), the cron pattern, the timezone, the
 * job type, the payload against the type's schema, the options, startAt before endAt.
 */
export function scheduleIssues(value: unknown, registry: JobRegistry, at = ''): FieldIssue[] {
  if (!checkShape.check(value)) return checkShape.issues(value, at)
  const issues: FieldIssue[] = []
  const report = (path: string, message: string) => issues.push({ path: `${at}${path}`, message })
  const spec = value
  if (spec.cron === undefined && spec.everyMs === undefined) {
    report('/cron', 'is required (or everyMs)')
  } else if (spec.cron !== undefined && spec.everyMs !== undefined) {
    report('/everyMs', 'must not be given with cron')
  }
  if (!registry.has(spec.type)) {
    report('/type', `is not a known job type (known: ${registry.names().join(', ')})`)
  } else {
    try {
      registry.parsePayload(spec.type, spec.payload, at)
    } catch (err) {
      if (!isConveyorError(err)) throw err
      issues.push(...err.details)
    }
  }
  const timezone = spec.timezone ?? DEFAULT_TIMEZONE
  if (spec.cron !== undefined && LOOKS_LIKE_DATE.test(spec.cron)) {
    report('/cron', 'must be a cron pattern, not a date (for one run: startAt and limit 1)')
  } else if (spec.cron !== undefined) {
    try {
      const calendar = new CronCalendar(spec.cron, timezone)
      if (calendar.nextAfter(0) === null) report('/cron', 'never fires')
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      report(/timezone/i.test(message) ? '/timezone' : '/cron', message)
    }
  } else if (spec.timezone !== undefined && !isTimezone(spec.timezone)) {
    report('/timezone', `is not a known IANA timezone`)
  }
  if (spec.startAt !== undefined && spec.endAt !== undefined) {
    if (Date.parse(spec.endAt) <= Date.parse(spec.startAt))
      report('/endAt', 'must be after startAt')
  }
  if (issues.length === 0 && spec.endAt !== undefined) {
    if (calendarOf(spec).latestAtOrBefore(Date.parse(spec.endAt)) === null) {
      report('/endAt', 'leaves no slot to fire')
    }
  }
  return issues
}

/** The spec if valid, else ConveyorError('validation_failed') listing every field at fault. */
export function checkSchedule(value: unknown, registry: JobRegistry, at = ''): ScheduleSpec {
  const issues = scheduleIssues(value, registry, at)
  if (issues.length === 0) return value as ScheduleSpec
  const summary = issues
    .slice(0, 3)
    .map((d) => `${d.path} ${d.message}`)
    .join('; ')
  throw new ConveyorError('validation_failed', `invalid schedule: ${summary}`, { details: issues })
}

function isTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
    return true
  } catch {
    return false
  }
}
