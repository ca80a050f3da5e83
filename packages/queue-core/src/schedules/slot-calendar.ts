import { Cron } from 'croner'
import type { ScheduleSpec } from './schedule-spec.js'

/**
 * A schedule's fire times ("slots") as epoch ms. Slots are the calendar's times, never
 * Date.now(), so every scheduler computes the same slot (and the same job id) for the
 * same firing. Croner only computes here: its own timers are not used.
 */
export interface SlotCalendar {
  /** The latest slot at or before `ms`, or null if there is none. */
  latestAtOrBefore(ms: number): number | null
  /** The first slot strictly after `ms`, or null if there is none. */
  nextAfter(ms: number): number | null
}

// Fire times must not depend on the host's TZ: two schedulers on differently set hosts
// would compute different slots for "0 9 * * *".
export const DEFAULT_TIMEZONE = 'UTC'

/**
 * A cron pattern in a timezone. Daylight saving time is croner's: a fixed time that
 * does not exist (spring forward) fires at the first valid time after the gap, a fixed
 * time that occurs twice (fall back) fires once, at its first occurrence; patterns with
 * a wildcard, step, range or list in the time fields fire in real time (both passes of
 * a repeated hour, nothing in a gap).
 */
export class CronCalendar implements SlotCalendar {
  private readonly cron: Cron

  /** Throws croner's error for a bad pattern or timezone. */
  constructor(pattern: string, timezone: string) {
    this.cron = new Cron(pattern, { timezone })
    // Croner checks the timezone only when it computes a date.
    this.cron.nextRun(new Date(0))
  }

  latestAtOrBefore(ms: number): number | null {
    // previousRuns counts a run earlier in the same second as the reference, so
    // `ms + 1` includes a slot at exactly `ms`.
    const [run] = this.cron.previousRuns(1, new Date(ms + 1))
    return run ? run.getTime() : null
  }

  nextAfter(ms: number): number | null {
    return this.cron.nextRun(new Date(ms))?.getTime() ?? null
  }
}

/**
 * Every `everyMs` from an anchor: startAt when given, else the epoch, so that the slots
 * are the same on every host and after every restart or failover: a fire that comes
 * late never shifts the next one (no drift).
 */
export class IntervalCalendar implements SlotCalendar {
  constructor(
    private readonly everyMs: number,
    private readonly anchorMs = 0,
  ) {}

  latestAtOrBefore(ms: number): number {
    return this.anchorMs + Math.floor((ms - this.anchorMs) / this.everyMs) * this.everyMs
  }

  nextAfter(ms: number): number {
    return this.latestAtOrBefore(ms) + this.everyMs
  }
}

/** A calendar cut to [startMs, endMs]: no slot before the start or after the end. */
export class BoundedCalendar implements SlotCalendar {
  constructor(
    private readonly inner: SlotCalendar,
    private readonly startMs: number,
    private readonly endMs: number,
  ) {}

  latestAtOrBefore(ms: number): number | null {
    const slot = this.inner.latestAtOrBefore(Math.min(ms, this.endMs))
    return slot === null || slot < this.startMs ? null : slot
  }

  nextAfter(ms: number): number | null {
    const slot = this.inner.nextAfter(Math.max(ms, this.startMs - 1))
    return slot === null || slot > this.endMs ? null : slot
  }
}

export type CalendarSpec = Pick<ScheduleSpec, 'cron' | 'everyMs' | 'timezone' | 'startAt' | 'endAt'>

/** The calendar of a checked spec; throws croner's error for a bad pattern or timezone. */
export function calendarOf(spec: CalendarSpec): SlotCalendar {
  const startMs = spec.startAt === undefined ? -Infinity : Date.parse(spec.startAt)
  const endMs = spec.endAt === undefined ? Infinity : Date.parse(spec.endAt)
  const inner =
    spec.everyMs !== undefined
      ? new IntervalCalendar(spec.everyMs, Number.isFinite(startMs) ? startMs : 0)
      : new CronCalendar(spec.cron ?? '', spec.timezone ?? DEFAULT_TIMEZONE)
  if (startMs === -Infinity && endMs === Infinity) return inner
  return new BoundedCalendar(inner, startMs, endMs)
}
