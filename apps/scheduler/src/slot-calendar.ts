import { Cron } from 'croner'

/**
 * A schedule's fire times ("slots") from its cron pattern, as epoch ms. Slots are the
 * cron's scheduled times, never Date.now(), so every scheduler computes the same slot
 * (and the same job id) for the same firing. Croner only computes here: its own
 * timers are not used.
 */
export class SlotCalendar {
  private readonly cron: Cron

  /** Throws croner's error for a bad pattern or timezone. */
  constructor(pattern: string, timezone: string) {
    this.cron = new Cron(pattern, { timezone })
    // Croner checks the timezone only when it computes a date.
    this.cron.nextRun(new Date(0))
  }

  /** The latest slot at or before `ms`, or null if the pattern never fired before. */
  latestAtOrBefore(ms: number): number | null {
    // previousRuns counts a run earlier in the same second as the reference, so
    // `ms + 1` includes a slot at exactly `ms`.
    const [run] = this.cron.previousRuns(1, new Date(ms + 1))
    return run ? run.getTime() : null
  }

  /** The first slot strictly after `ms`, or null if the pattern never fires again. */
  nextAfter(ms: number): number | null {
    return this.cron.nextRun(new Date(ms))?.getTime() ?? null
  }
}
