import type { CatchUp, Revision, SlotCalendar } from '@conveyor/queue-core'

/**
 * What the leader decides for one schedule, from its revisions and its cursor (the last
 * slot decided). Pure: no Redis, no clock, so that every rule is tested on its own.
 *
 * A revision applies to the slots after the time it was written (`since`) up to and
 * including the time the next one was written: a slot belongs to the definition that
 * was in force at the slot's time, whenever the leader gets to it.
 */
export interface Segment {
  revision: Revision
  /** null: nothing fires in it (paused, deleted, or a spec that no longer parses) */
  calendar: SlotCalendar | null
  /** a slot s belongs to it when from < s <= to */
  from: number
  to: number
  /** fires allowed in all (Infinity: no limit) */
  limit: number
}

/** Slots that passed without firing, first to last. */
export interface MissedRange {
  from: number
  to: number
  count: number
  capped: boolean
}

export type Decision =
  | { kind: 'idle' }
  | {
      kind: 'fire'
      slotMs: number
      segment: Segment
      /** fired later than lateAfterMs after its time */
      catchUp: boolean
      missed: MissedRange | null
    }
  | { kind: 'skip'; slotMs: number; segment: Segment; missed: MissedRange }

export interface PlanInput {
  segments: readonly Segment[]
  /** the last slot decided (or the first revision's time when none was) */
  cursor: number
  /** slots fired so far, for `limit` */
  fires: number
  now: number
  lateAfterMs: number
  catchUp: CatchUp
}

// Counting missed slots is for the record only; a per-second schedule down for a day
// need not walk 86,400 slots to say "more than 1,000".
const MISSED_COUNT_CAP = 1_000

/** The revisions, oldest first, as segments of time. */
export function segmentsOf(
  revisions: readonly Revision[],
  calendarOf: (r: Revision) => SlotCalendar | null,
): Segment[] {
  return revisions.map((revision, i) => ({
    revision,
    calendar: revision.status === 'active' ? calendarOf(revision) : null,
    from: revision.since,
    to: revisions[i + 1]?.since ?? Infinity,
    limit: revision.spec.limit ?? Infinity,
  }))
}

interface Found {
  slotMs: number
  segment: Segment
}

/** The earliest slot after `after` and at or before `until`. */
function firstAfter(p: Pick<PlanInput, 'segments' | 'fires'>, after: number, until: number) {
  for (const segment of p.segments) {
    if (!segment.calendar || p.fires >= segment.limit) continue
    const slotMs = segment.calendar.nextAfter(Math.max(after, segment.from))
    if (slotMs !== null && slotMs <= Math.min(segment.to, until)) return { slotMs, segment }
  }
  return null
}

/** The latest slot after `after` and at or before `until`. */
function latestUpTo(p: PlanInput, after: number, until: number): Found | null {
  for (let i = p.segments.length - 1; i >= 0; i -= 1) {
    const segment = p.segments[i]
    if (!segment?.calendar || p.fires >= segment.limit) continue
    const slotMs = segment.calendar.latestAtOrBefore(Math.min(segment.to, until))
    if (slotMs !== null && slotMs > Math.max(after, segment.from)) return { slotMs, segment }
  }
  return null
}

/** The slots after `after` and before `before`, counted up to a cap. */
function missedBetween(p: PlanInput, after: number, before: number): MissedRange | null {
  let range: MissedRange | null = null
  let at = after
  for (;;) {
    const found = firstAfter(p, at, before - 1)
    if (!found) return range
    range = range ?? { from: found.slotMs, to: found.slotMs, count: 0, capped: false }
    range.to = found.slotMs
    range.count += 1
    if (range.count >= MISSED_COUNT_CAP) return { ...range, capped: true }
    at = found.slotMs
  }
}

/**
 * The next decision for a schedule at `now`: nothing, fire a slot, or skip one.
 * - `all`: the earliest slot not yet decided, late or not;
 * - `once`: the latest slot due, late or not; the earlier ones are missed;
 * - `skip`: the latest slot if it is on time, else it is skipped with the earlier ones.
 */
export function decide(p: PlanInput): Decision {
  const latest = latestUpTo(p, p.cursor, p.now)
  if (!latest) return { kind: 'idle' }
  const lateBy = (slotMs: number) => p.now - slotMs > p.lateAfterMs
  if (p.catchUp === 'all') {
    const first = firstAfter(p, p.cursor, p.now) ?? latest
    return { kind: 'fire', ...first, catchUp: lateBy(first.slotMs), missed: null }
  }
  if (p.catchUp === 'skip' && lateBy(latest.slotMs)) {
    const missed = missedBetween(p, p.cursor, latest.slotMs + 1) ?? {
      from: latest.slotMs,
      to: latest.slotMs,
      count: 1,
      capped: false,
    }
    return { kind: 'skip', ...latest, missed }
  }
  const missed = missedBetween(p, p.cursor, latest.slotMs)
  return { kind: 'fire', ...latest, catchUp: lateBy(latest.slotMs), missed }
}

/** When to look at the schedule next: its first slot after the cursor; null if none is left. */
export function nextDue(p: Pick<PlanInput, 'segments' | 'cursor' | 'fires'>): number | null {
  return firstAfter(p, p.cursor, Infinity)?.slotMs ?? null
}

/**
 * How many of the oldest revisions owe nothing any more: they ended by `now` and have
 * no slot after the cursor. The current revision is never counted.
 */
export function settledCount(p: Pick<PlanInput, 'segments' | 'cursor' | 'fires' | 'now'>) {
  let n = 0
  for (const segment of p.segments.slice(0, -1)) {
    if (segment.to > p.now) break
    const owes = firstAfter({ segments: [segment], fires: p.fires }, p.cursor, segment.to)
    if (owes) break
    n += 1
  }
  return n
}
