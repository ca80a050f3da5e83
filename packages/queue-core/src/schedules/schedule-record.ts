import type { ScheduleOptions, ScheduleSpec } from './schedule-spec.js'

/**
 * The stored forms of a schedule, as the Lua scripts write them. Lua reads only the
 * fields before the JSON (revision, since, status; a slot record's slot, state, token
 * and count), never the JSON itself: re-encoding JSON in Lua would round numbers.
 */

/** Where a schedule is defined: through the API, or in SCHEDULES_FILE (read-only to the API). */
export type ScheduleSource = 'api' | 'file'

/** `deleted` is a tombstone: the name is free, the leader still settles slots owed before the delete. */
export type RevisionStatus = 'active' | 'paused' | 'deleted'

/** The JSON part of a revision. */
export interface RevisionBody {
  name: string
  spec: ScheduleSpec
  source: ScheduleSource
  /** ms; when the schedule (this identity) was created */
  createdAt: number
}

/** One revision of a schedule: its body and, from the script, its number, start and status. */
export interface Revision extends RevisionBody {
  revision: number
  /** ms (Redis's clock unless the store was given one): the revision applies to slots after it */
  since: number
  status: RevisionStatus
}

const REVISION = /^(\d+)\|(\d+)\|(active|paused|deleted)\|(.*)$/s

/** A stored revision "<rev>|<since ms>|<status>|<json>", or null if it is not one. */
export function decodeRevision(text: string | null | undefined): Revision | null {
  const m = text ? REVISION.exec(text) : null
  if (!m) return null
  try {
    const body = JSON.parse(m[4] ?? '') as RevisionBody
    return {
      ...body,
      revision: Number(m[1]),
      since: Number(m[2]),
      status: m[3] as RevisionStatus,
    }
  } catch {
    return null
  }
}

/** Older revisions, newline-separated, oldest first (JSON never holds a raw newline). */
export function decodeHistory(text: string | null | undefined): Revision[] {
  if (!text) return []
  return text
    .split('\n')
    .map(decodeRevision)
    .filter((r): r is Revision => r !== null)
}

export type SlotState = 'claimed' | 'fired' | 'skipped' | 'failed'

/** The job a claimed slot enqueues, fixed at the claim: a recovery enqueues exactly this. */
export interface PendingJob {
  /** the schedule's name in the revision the slot belongs to */
  name: string
  jobId: string
  type: string
  payload: unknown
  options: ScheduleOptions
  /** fired late, for a slot missed while no scheduler could fire it */
  catchUp: boolean
}

/**
 * The last slot decided for a schedule (its cursor): claimed (its job may not be
 * enqueued yet, `pending` says which), fired, skipped (missed with catch-up off) or
 * failed (its job could never be enqueued), and how many slots it fired in all.
 */
export interface SlotRecord {
  slotMs: number
  state: SlotState
  token: number
  fires: number
  pending: PendingJob | null
}

// The fires count is absent in records written before schedules were stored.
const SLOT_RECORD = /^(\d+)\|(claimed|fired|skipped|failed)\|(\d+)(?:\|(\d+))?(?:\|(.*))?$/s

export function decodeSlotRecord(text: string | null | undefined): SlotRecord | null {
  const m = text ? SLOT_RECORD.exec(text) : null
  if (!m) return null
  let pending: PendingJob | null = null
  if (m[5] !== undefined && m[5] !== '') {
    try {
      pending = JSON.parse(m[5]) as PendingJob
    } catch {
      pending = null
    }
  }
  return {
    slotMs: Number(m[1]),
    state: m[2] as SlotState,
    token: Number(m[3]),
    fires: Number(m[4] ?? 0),
    pending,
  }
}

/** One fire of a schedule, newest first in its runs list. */
export interface RunEntry {
  /** the slot it fired for; null for a run-now */
  slotMs: number | null
  /** the id queue-core returned; null when the job could not be enqueued */
  jobId: string | null
  /** ms, by the clock of the process that fired */
  firedAt: number
  kind: 'slot' | 'catch-up' | 'run'
  /** enqueued by a later leader for a claim whose enqueue did not finish */
  recovered?: boolean
  /** why the job could not be enqueued (a payload its type no longer accepts, say) */
  error?: string
}

/** Slots that passed without firing: missed (catch-up collapsed them) or skipped (catch-up off). */
export interface MissedEntry {
  /** the first and last such slot, ms */
  from: number
  to: number
  count: number
  /** the count stopped at its cap: there were more */
  capped?: boolean
  reason: 'missed' | 'skipped'
  /** ms, when the leader decided */
  at: number
}

export function decodeJsonList<T>(items: readonly string[]): T[] {
  const out: T[] = []
  for (const item of items) {
    try {
      out.push(JSON.parse(item) as T)
    } catch {
      // a damaged entry is left out of the listing rather than failing it
    }
  }
  return out
}

/** How many fires and missed entries a schedule keeps for inspection. */
export const KEEP_RUNS = 50
/** Older revisions kept for slots a late leader still owes; past this the oldest is dropped. */
export const KEEP_REVISIONS = 50
