/**
 * The only module that spells the scheduler's Redis key names. They live under
 * `${prefix}:scheduler:` (queue keys start with `${prefix}:{`, so no queue name can
 * collide) and share the hash tag `{leader}`: the claim script reads the lease, the
 * fencing counter and the slot records in one call, so on Redis Cluster they must sit
 * in one slot.
 */
export interface SchedulerKeys {
  /** string "<holder>|<token>" with the lease as its TTL */
  lease: string
  /** counter: the newest fencing token */
  fence: string
  /** hash: schedule name -> "<slot ms>|<state>|<token>" */
  slots: string
}

export function schedulerKeys(prefix: string): SchedulerKeys {
  const base = `${prefix}:scheduler:{leader}:`
  return { lease: `${base}lease`, fence: `${base}fence`, slots: `${base}slots` }
}
