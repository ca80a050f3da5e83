import type { Cluster, Redis } from 'ioredis'
import type { SchedulerKeys } from './keys.js'

/**
 * The last slot recorded per schedule: "claimed" (its job may not be enqueued yet),
 * "fired" (enqueued) or "skipped" (missed, and catch-up is off). It is what tells a new
 * leader which slots already fired, and it outlives the jobs, which retention trims.
 */
export interface SlotRecord {
  slotMs: number
  state: 'claimed' | 'fired' | 'skipped'
  token: number
}

const RECORD = /^(\d+)\|(claimed|fired|skipped)\|(\d+)$/

export function parseSlotRecord(text: string | null): SlotRecord | null {
  const m = text === null ? null : RECORD.exec(text)
  if (!m) return null
  return {
    slotMs: Number(m[1]),
    state: m[2] as SlotRecord['state'],
    token: Number(m[3]),
  }
}

/** The records of the named schedules, in one round trip. */
export async function readSlotRecords(
  redis: Redis | Cluster,
  keys: SchedulerKeys,
  names: readonly string[],
): Promise<Map<string, SlotRecord>> {
  const out = new Map<string, SlotRecord>()
  if (names.length === 0) return out
  const values = await redis.hmget(keys.slots, ...names)
  names.forEach((name, i) => {
    const record = parseSlotRecord(values[i] ?? null)
    if (record) out.set(name, record)
  })
  return out
}
