import type { EnqueueOptions } from '@conveyor/queue-core'

/**
 * Enqueue options carrying `traceparent`, unless the caller already chose one (or
 * there is none to give): how a trace reaches a job's consumer spans.
 */
export function withTraceparent<O extends EnqueueOptions>(
  options: O | undefined,
  traceparent: string | undefined,
): O | undefined {
  if (traceparent === undefined || options?.traceparent !== undefined) return options
  return { ...options, traceparent } as O
}
