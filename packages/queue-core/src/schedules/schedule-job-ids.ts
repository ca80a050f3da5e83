import { randomUUID } from 'node:crypto'

/**
 * The job id a schedule's slot is enqueued with: the same on every scheduler, so that a
 * slot enqueued twice (a claim recovered after its enqueue did land) is created once.
 * Queue-core may return a longer id (its queue's prefix): store and show what
 * `enqueue` returns, never this.
 */
export function slotJobId(name: string, slotMs: number): string {
  return `sched:${name}:${slotMs}`
}

/** A run-now's job id: its own, never a slot's. */
export function runJobId(name: string): string {
  return `sched:${name}:run:${randomUUID()}`
}
