import type { Retention } from './scripts.js'

/** Defaults shared by Queue and Worker; each can be overridden in their options. */
export const DEFAULTS = {
  queue: 'default',
  prefix: 'conveyor',
  maxAttempts: 4,
  priority: 5,
  timeout: 0,
  eventsMaxLen: 10_000,
  leaseMs: 30_000,
  maxStalls: 3,
  retention: { keepMs: 86_400_000, keepCount: 0 } satisfies Retention,
} as const

export interface RetentionOptions {
  /** how long completed and cancelled jobs stay readable; 0 deletes them on completion (default 1 day) */
  completedMs?: number
  /** and at most this many of each (default: no cap) */
  completedCount?: number
}

export function toRetention(o: RetentionOptions | undefined): Retention {
  return {
    keepMs: o?.completedMs ?? DEFAULTS.retention.keepMs,
    keepCount: o?.completedCount ?? DEFAULTS.retention.keepCount,
  }
}
