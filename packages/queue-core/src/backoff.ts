import type { BackoffPolicy } from './schemas/backoff.js'

const DEFAULT_MAX_DELAY_MS = 3_600_000

export const DEFAULT_BACKOFF: BackoffPolicy = {
  type: 'exponential',
  delayMs: 1_000,
  maxDelayMs: DEFAULT_MAX_DELAY_MS,
  jitter: 0.2,
}

/**
 * The wait before the next attempt after `attempt` (1-based) failed. Exponential
 * doubles from delayMs, capped at maxDelayMs; jitter spreads it by ±jitter so that jobs
 * which failed together (an outage) do not all come back in the same millisecond.
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random = Math.random): number {
  const base =
    policy.type === 'fixed'
      ? policy.delayMs
      : Math.min(
          policy.delayMs * 2 ** Math.max(0, attempt - 1),
          policy.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
        )
  const jitter = policy.jitter ?? 0
  return Math.max(0, Math.round(base * (1 + jitter * (2 * random() - 1))))
}
