import { isRedisUnavailable, isWriteRefused } from '@conveyor/queue-core'
import type { Logger } from './logger.js'

/** The conditions logged once while they last, not once per failed command. */
export type Condition = 'redis_unavailable' | 'redis_write_refused'

const QUIET_MS_TO_CLEAR = 5_000

function conditionOf(err: unknown): Condition | undefined {
  if (isWriteRefused(err)) return 'redis_write_refused'
  if (isRedisUnavailable(err)) return 'redis_unavailable'
  return undefined
}

const MESSAGES: Record<Condition, string> = {
  redis_unavailable: 'Redis cannot be reached; retrying (repeats not logged until it clears)',
  redis_write_refused:
    'Redis refuses writes (out of memory, read-only or a failed snapshot); retrying (repeats not logged until it clears)',
}

/**
 * Logs errors from background loops (heartbeats, reserves, pruning) so that an outage
 * is one line when it starts and one when it ends, with how many errors it held back,
 * instead of a line per command many times a second. Any other error is logged each time.
 */
export class ConditionLog {
  private readonly active = new Map<Condition, { count: number; timer: NodeJS.Timeout }>()

  constructor(
    private readonly logger: Logger,
    private readonly quietMsToClear = QUIET_MS_TO_CLEAR,
  ) {}

  report(err: unknown, context: Record<string, unknown>, message: string): void {
    const condition = conditionOf(err)
    if (condition === undefined) {
      this.logger.error({ err, ...context }, message)
      return
    }
    const seen = this.active.get(condition)
    if (seen) {
      seen.count += 1
      seen.timer.refresh()
      return
    }
    this.logger.error({ err, ...context, condition }, MESSAGES[condition])
    const timer = setTimeout(() => this.clear(condition), this.quietMsToClear)
    timer.unref()
    this.active.set(condition, { count: 1, timer })
  }

  /** Stops the timers, logging nothing more (at shutdown). */
  close(): void {
    for (const { timer } of this.active.values()) clearTimeout(timer)
    this.active.clear()
  }

  private clear(condition: Condition): void {
    const seen = this.active.get(condition)
    if (!seen) return
    this.active.delete(condition)
    this.logger.info(
      { condition, errors: seen.count, quietMs: this.quietMsToClear },
      'condition cleared: no such error for a while',
    )
  }
}
