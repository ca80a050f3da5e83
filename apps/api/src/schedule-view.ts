import {
  scheduleState,
  upcomingFires,
  type FireTime,
  type LeaderInfo,
  type MissedEntry,
  type RunEntry,
  type StoredSchedule,
} from '@conveyor/queue-core'
import type { Conveyor } from '@conveyor/queue-core'
import type { ConveyorJobTypes } from '@conveyor/service-kit'
import { redactPayload, type RedactionRules } from './payload-redaction.js'

const iso = (ms: number) => new Date(ms).toISOString()

const fireTime = (f: FireTime) => ({ utc: f.utc, local: f.local })

/** A stored schedule as the API shows it, judged at `now`, its payload redacted. */
export function toScheduleView(s: StoredSchedule, now: number, redactions: RedactionRules) {
  const input = { spec: s.spec, paused: s.paused, record: s.record }
  const [next] = upcomingFires(input, now, 1)
  return {
    name: s.name,
    id: s.id,
    source: s.source,
    state: scheduleState(input, now),
    revision: s.revision,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
    fires: s.record?.fires ?? 0,
    lastSlot: s.record ? { slot: iso(s.record.slotMs), state: s.record.state } : null,
    nextFire: next ? fireTime(next) : null,
    spec: { ...s.spec, payload: redactPayload(redactions, s.spec.type, s.spec.payload) },
  }
}

/** The view plus the next 5 fire times and who leads. */
export function toScheduleDetail(
  s: StoredSchedule,
  at: { now: number; leader: LeaderInfo | null; redactions: RedactionRules },
) {
  const next = upcomingFires({ spec: s.spec, paused: s.paused, record: s.record }, at.now, 5)
  return {
    ...toScheduleView(s, at.now, at.redactions),
    next: next.map(fireTime),
    leader: at.leader,
  }
}

/** Fires with each job's current state (looked up by the id queue-core returned). */
export async function toRunViews(runs: readonly RunEntry[], conveyor: Conveyor<ConveyorJobTypes>) {
  const found = await Promise.all(
    runs.map((r) => (r.jobId === null ? Promise.resolve(null) : conveyor.find(r.jobId))),
  )
  return runs.map((r, i) => ({
    kind: r.kind,
    slot: r.slotMs === null ? null : iso(r.slotMs),
    jobId: r.jobId,
    jobState: r.jobId === null ? null : (found[i]?.job.state ?? ('gone' as const)),
    firedAt: iso(r.firedAt),
    ...(r.recovered ? { recovered: true } : {}),
    ...(r.error === undefined ? {} : { error: r.error }),
  }))
}

export function toMissedViews(missed: readonly MissedEntry[]) {
  return missed.map((m) => ({
    reason: m.reason,
    from: iso(m.from),
    to: iso(m.to),
    count: m.count,
    ...(m.capped ? { capped: true } : {}),
    at: iso(m.at),
  }))
}
