import { calendarOf, type Revision, type ScheduleSpec } from '@conveyor/queue-core'
import { describe, expect, it } from 'vitest'
import { decide, nextDue, segmentsOf, settledCount } from '../src/slot-plan.js'

const spec = (extra: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  cron: '* * * * *',
  type: 'sms',
  payload: {},
  ...extra,
})
const T = (hhmm: string) => Date.parse(`2030-01-01T${hhmm}Z`)
const revision = (n: number, since: number, extra: Partial<Revision> = {}): Revision => ({
  name: 'm',
  spec: spec(),
  source: 'api',
  createdAt: 0,
  revision: n,
  since,
  status: 'active',
  ...extra,
})
const segments = (...revisions: Revision[]) => segmentsOf(revisions, (r) => calendarOf(r.spec))
const plan = { fires: 0, lateAfterMs: 1_000, catchUp: 'once' as const }

describe('slot plan', () => {
  it('gives a slot at exactly the time of a change to the revision before it', () => {
    const s = segments(revision(1, T('00:00:30')), revision(2, T('00:01:00')))
    const d = decide({ ...plan, segments: s, cursor: T('00:00:30'), now: T('00:01:00.5') })
    expect(d).toMatchObject({
      kind: 'fire',
      slotMs: T('00:01:00'),
      segment: { revision: { revision: 1 } },
    })
  })

  it('counts the missed slots it passes over, up to a cap', () => {
    const s = segments(revision(1, T('00:00:00'), { spec: spec({ cron: '* * * * * *' }) }))
    const d = decide({ ...plan, segments: s, cursor: T('00:00:00'), now: T('00:30:00') })
    expect(d).toMatchObject({
      kind: 'fire',
      slotMs: T('00:30:00'),
      catchUp: false,
      missed: { from: T('00:00:01'), count: 1_000, capped: true },
    })
  })

  it('skips a late slot with catch-up "skip"; fires on-time ones', () => {
    const s = segments(revision(1, T('00:00:00')))
    const skip = { ...plan, catchUp: 'skip' as const, segments: s, cursor: T('00:00:00') }
    expect(decide({ ...skip, now: T('00:02:30') })).toMatchObject({
      kind: 'skip',
      slotMs: T('00:02:00'),
      missed: { from: T('00:01:00'), to: T('00:02:00'), count: 2 },
    })
    expect(decide({ ...skip, now: T('00:02:00.2') })).toMatchObject({
      kind: 'fire',
      catchUp: false,
      missed: { count: 1 },
    })
  })

  it('stops at the limit and says nothing is due any more', () => {
    const s = segments(revision(1, T('00:00:00'), { spec: spec({ limit: 2 }) }))
    const input = { ...plan, segments: s, cursor: T('00:02:00'), fires: 2, now: T('00:10:00') }
    expect(decide(input)).toEqual({ kind: 'idle' })
    expect(nextDue(input)).toBeNull()
  })

  it('settles an old revision once the cursor passed its last slot', () => {
    const s = segments(
      revision(1, T('00:00:00')),
      revision(2, T('00:01:00.5'), { status: 'paused' }),
      revision(3, T('00:03:30')),
    )
    const at = (cursor: number) =>
      settledCount({ segments: s, cursor, fires: 0, now: T('00:04:00') })
    expect(at(T('00:00:00'))).toBe(0)
    // Revision 1 owes nothing after 00:01; paused revision 2 never owes anything.
    expect(at(T('00:01:00'))).toBe(2)
    expect(nextDue({ segments: s, cursor: T('00:01:00'), fires: 0 })).toBe(T('00:04:00'))
  })
})
