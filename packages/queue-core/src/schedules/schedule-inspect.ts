import type { ScheduleSpec } from './schedule-spec.js'
import type { SlotRecord } from './schedule-record.js'
import { calendarOf, DEFAULT_TIMEZONE } from './slot-calendar.js'
import { formatInZone } from './zoned-time.js'

/** One coming fire time: the instant in UTC and on the schedule's wall clock. */
export interface FireTime {
  ms: number
  utc: string
  /** in the schedule's timezone, with its offset */
  local: string
}

/** What a schedule does now: fires, is paused, or has nothing left to fire (limit, endAt). */
export type ScheduleState = 'active' | 'paused' | 'finished'

export interface UpcomingInput {
  spec: ScheduleSpec
  paused: boolean
  /** the last slot decided, if any */
  record: SlotRecord | null
}

/**
 * The next `count` slots after `fromMs` (and after the last slot decided), as the
 * current revision computes them: none while paused, none beyond `limit` fires or
 * after `endAt`.
 */
export function upcomingFires(input: UpcomingInput, fromMs: number, count: number): FireTime[] {
  if (input.paused) return []
  const fires = input.record?.fires ?? 0
  const left = input.spec.limit === undefined ? count : Math.min(count, input.spec.limit - fires)
  const calendar = calendarOf(input.spec)
  const timezone = input.spec.timezone ?? DEFAULT_TIMEZONE
  const out: FireTime[] = []
  let after = Math.max(fromMs, input.record?.slotMs ?? -Infinity)
  while (out.length < left) {
    const ms = calendar.nextAfter(after)
    if (ms === null) break
    out.push({ ms, utc: new Date(ms).toISOString(), local: formatInZone(ms, timezone) })
    after = ms
  }
  return out
}

export function scheduleState(input: UpcomingInput, nowMs: number): ScheduleState {
  if (input.paused) return 'paused'
  return upcomingFires(input, nowMs, 1).length === 0 ? 'finished' : 'active'
}
