import type { RedisClient } from '../connection.js'
import type { SchedulerKeys } from './schedule-keys.js'
import {
  decodeRevision,
  decodeSlotRecord,
  type ScheduleSource,
  type SlotRecord,
} from './schedule-record.js'
import type { ScheduleSpec } from './schedule-spec.js'

/** A schedule as the store shows it. */
export interface StoredSchedule {
  /** stable through edits and renames; a deleted and re-created schedule gets a new one */
  id: string
  name: string
  spec: ScheduleSpec
  source: ScheduleSource
  paused: boolean
  revision: number
  /** ms */
  createdAt: number
  /** ms: when the current revision was written; it applies to slots after this */
  updatedAt: number
  /** the last slot the leader decided, with the count of slots fired */
  record: SlotRecord | null
  /** ms: when the leader looks at it next; null while there is nothing to do */
  dueAt: number | null
}

/** The schedules with these ids (tombstones and unknown ids left out), in one round trip each. */
export async function loadSchedules(
  redis: RedisClient,
  keys: SchedulerKeys,
  ids: readonly string[],
): Promise<StoredSchedule[]> {
  if (ids.length === 0) return []
  const [defs, records, dues] = await Promise.all([
    redis.hmget(keys.defs, ...ids),
    redis.hmget(keys.slots, ...ids),
    Promise.all(ids.map((id) => redis.zscore(keys.due, id))),
  ])
  const out: StoredSchedule[] = []
  ids.forEach((id, i) => {
    const r = decodeRevision(defs[i])
    if (!r || r.status === 'deleted') return
    const due = dues[i]
    out.push({
      id,
      name: r.name,
      spec: r.spec,
      source: r.source,
      paused: r.status === 'paused',
      revision: r.revision,
      createdAt: r.createdAt,
      updatedAt: r.since,
      record: decodeSlotRecord(records[i]),
      dueAt: due === null || due === undefined ? null : Number(due),
    })
  })
  return out
}
