/** Defaults shared by Queue, Worker and Conveyor; each can be overridden in their options. */
export const DEFAULTS = {
  queue: 'default',
  prefix: 'conveyor',
  maxAttempts: 4,
  priority: 5,
  timeoutMs: 0,
  eventsMaxLen: 10_000,
  leaseMs: 30_000,
  maxStalls: 3,
  retention: { completedMs: 86_400_000, completedCount: 10_000 },
} as const

/** How long finished jobs (completed and cancelled) stay readable. */
export interface RetentionOptions {
  /** how long; 0 deletes a job as it completes (default 1 day) */
  completedMs?: number
  /**
   * and at most this many of each state, 0 = no cap (default 10,000: a day at a sustained
   * rate would keep millions, and Redis memory with them)
   */
  completedCount?: number
}

export type Retention = Required<RetentionOptions>

export function toRetention(o: RetentionOptions | undefined): Retention {
  return {
    completedMs: o?.completedMs ?? DEFAULTS.retention.completedMs,
    completedCount: o?.completedCount ?? DEFAULTS.retention.completedCount,
  }
}
