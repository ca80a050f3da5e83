import {
  decodeHistory,
  decodeRevision,
  decodeSlotRecord,
  isConveyorError,
  slotJobId,
  type CatchUp,
  type EnqueueResult,
  type PendingJob,
  type Revision,
  type RunEntry,
  type SlotRecord,
} from '@conveyor/queue-core'
import type { CalendarCache } from './calendar-cache.js'
import type { LeaderLease } from './leader.js'
import type { DueEntry, SchedulerScripts } from './scripts.js'
import { decide, nextDue, segmentsOf, settledCount, type Segment } from './slot-plan.js'

export interface FireEvent {
  schedule: string
  scheduleId: string
  slotMs: number
  jobId: string
  /** false when a job with this id was already there (a recovered claim, say) */
  created: boolean
  /** fired late, for a slot missed while no scheduler could fire it */
  catchUp: boolean
  /** enqueued for a claim whose enqueue did not finish (a leader died in between) */
  recovered: boolean
}

export interface SkipEvent {
  schedule: string
  scheduleId: string
  slotMs: number
}

export interface FiringContext {
  scripts: SchedulerScripts
  leader: LeaderLease
  calendars: CalendarCache
  /** enqueues on the job type's queue; returns queue-core's answer */
  enqueue(job: PendingJob): Promise<EnqueueResult>
  lateAfterMs: number
  /** for schedules that do not set their own */
  catchUp: CatchUp
  onFire(e: FireEvent): void
  onSkip(e: SkipEvent): void
  onError(err: unknown): void
}

/**
 * How settling one schedule ended: 'done' with when it is due next (null: nothing left
 * to fire), 'more' (it has more slots due than one tick decides), 'stale' (it changed
 * meanwhile: read it again), 'fenced' (we lead no more).
 */
export type SettleResult =
  { outcome: 'done'; nextDue: number | null } | { outcome: 'more' | 'stale' | 'fenced' }

// Slots one schedule may fire in one tick (catch-up "all" after an outage); the rest
// follow in the next tick, so that one schedule does not hold the others up.
const MAX_DECISIONS = 100

/**
 * Decides everything due for one schedule at `now`: a claim a dead leader left, then
 * each slot by its catch-up policy (claim, enqueue, confirm), then when to look next.
 */
export async function settleSchedule(
  ctx: FiringContext,
  entry: DueEntry,
  now: number,
): Promise<SettleResult> {
  const current = decodeRevision(entry.revision)
  if (!current) {
    ctx.onError(new Error(`schedule ${entry.id}: unreadable revision`))
    return { outcome: 'done', nextDue: null }
  }
  const { id } = entry
  const revisions = [...decodeHistory(entry.history), current]
  const segments = segmentsOf(revisions, (r) => ctx.calendars.get(id, r))
  const catchUp = current.spec.catchUp ?? ctx.catchUp
  let record = decodeSlotRecord(entry.record)
  const cursor = () => record?.slotMs ?? revisions[0]?.since ?? current.since
  let decisions = 0
  for (; decisions < MAX_DECISIONS; decisions += 1) {
    if (record?.state === 'claimed') {
      const pending = record.pending ?? legacyPending(record, segments, current)
      await fire(ctx, { id, slotMs: record.slotMs, pending, recovered: true })
      record = { ...record, state: 'fired', pending: null }
      continue
    }
    const fires = record?.fires ?? 0
    const d = decide({
      segments,
      cursor: cursor(),
      fires,
      now,
      lateAfterMs: ctx.lateAfterMs,
      catchUp,
    })
    if (d.kind === 'idle') break
    const { spec, name } = d.segment.revision
    const pending: PendingJob | null =
      d.kind === 'fire'
        ? {
            name,
            jobId: slotJobId(name, d.slotMs),
            type: spec.type,
            payload: spec.payload,
            options: spec.options ?? {},
            catchUp: d.catchUp,
          }
        : null
    const missed = d.missed && {
      ...d.missed,
      capped: d.missed.capped || undefined,
      reason: d.kind === 'skip' ? 'skipped' : 'missed',
      at: now,
    }
    const outcome = await ctx.leader.fenced((fence) =>
      ctx.scripts.claim(fence, {
        id,
        revision: current.revision,
        slotMs: d.slotMs,
        state: pending ? 'claimed' : 'skipped',
        limit: Number.isFinite(d.segment.limit) ? d.segment.limit : 0,
        pending: pending ? JSON.stringify(pending) : '',
        missed: missed ? JSON.stringify(missed) : '',
      }),
    )
    // 'taken': the record moved on without us; read it again rather than guess.
    if (outcome === 'taken' || outcome === 'stale') return { outcome: 'stale' }
    if (outcome === 'fenced') return { outcome }
    if (!pending) {
      record = { slotMs: d.slotMs, state: 'skipped', token: 0, fires, pending: null }
      ctx.onSkip({ schedule: name, scheduleId: id, slotMs: d.slotMs })
      continue
    }
    record = { slotMs: d.slotMs, state: 'fired', token: 0, fires: fires + 1, pending: null }
    await fire(ctx, { id, slotMs: d.slotMs, pending, recovered: false })
  }
  if (decisions >= MAX_DECISIONS) return { outcome: 'more' }
  const plan = { segments, cursor: cursor(), fires: record?.fires ?? 0, now }
  const next = nextDue(plan)
  const outcome = await ctx.leader.fenced((fence) =>
    ctx.scripts.reschedule(fence, {
      id,
      revision: current.revision,
      nextDue: next,
      settled: settledCount(plan),
    }),
  )
  if (outcome === 'stale' || outcome === 'fenced') return { outcome }
  return { outcome: 'done', nextDue: outcome === 'removed' ? null : next }
}

/** Enqueues a claimed slot's job and confirms it; a job that can never be enqueued is recorded as failed. */
async function fire(
  ctx: FiringContext,
  f: { id: string; slotMs: number; pending: PendingJob; recovered: boolean },
): Promise<void> {
  const { pending } = f
  const run: RunEntry = {
    slotMs: f.slotMs,
    jobId: null,
    firedAt: Date.now(),
    kind: pending.catchUp ? 'catch-up' : 'slot',
    ...(f.recovered ? { recovered: true } : {}),
  }
  let result: EnqueueResult
  try {
    result = await ctx.enqueue(pending)
  } catch (err) {
    // A payload its type no longer accepts, or a type this scheduler does not know:
    // retrying cannot help, and the slot must not block the schedule for ever.
    if (!isConveyorError(err, 'validation_failed') && !isConveyorError(err, 'unknown_job_type')) {
      throw err
    }
    ctx.onError(err)
    const failed = { ...run, error: err.message }
    await ctx.scripts.confirm({
      id: f.id,
      slotMs: f.slotMs,
      state: 'failed',
      run: JSON.stringify(failed),
    })
    return
  }
  run.jobId = result.id
  await ctx.scripts.confirm({
    id: f.id,
    slotMs: f.slotMs,
    state: 'fired',
    run: JSON.stringify(run),
  })
  ctx.onFire({
    schedule: pending.name,
    scheduleId: f.id,
    slotMs: f.slotMs,
    jobId: result.id,
    created: result.created,
    catchUp: pending.catchUp,
    recovered: f.recovered,
  })
}

/**
 * A claim recorded by a scheduler older than stored schedules has no pending job: it is
 * enqueued as the revision in force at its slot defines it, with the same job id.
 */
function legacyPending(record: SlotRecord, segments: readonly Segment[], current: Revision) {
  const revision =
    segments.find((s) => s.from < record.slotMs && record.slotMs <= s.to)?.revision ?? current
  return {
    name: revision.name,
    jobId: slotJobId(revision.name, record.slotMs),
    type: revision.spec.type,
    payload: revision.spec.payload,
    options: revision.spec.options ?? {},
    catchUp: false,
  }
}
