/**
 * Time is hard: daylight saving changes, fixed intervals across a failover, endAt and
 * limit. DST steps a fake clock through the night in ten-minute ticks; the interval
 * failover runs in real time with two schedulers.
 */
import type { ScheduleFileEntry } from '@conveyor/queue-core'
import { afterEach, describe, expect, it } from 'vitest'
import { slotsOf, waitFor, World } from './support/harness.js'
import { Stepper } from './support/stepper.js'

const sms = { phone: '+84912345678', message: 'Báo cáo lúc 02:30' }
const at230Berlin: ScheduleFileEntry = {
  name: 'night',
  cron: '30 2 * * *',
  timezone: 'Europe/Berlin',
  type: 'sms',
  payload: sms,
}

let world: World
afterEach(async () => {
  await world.cleanup()
})

/** Steps the leader's clock from `from` to `to` every 10 minutes; returns the fired slots (UTC ISO). */
async function walk(entry: ScheduleFileEntry, from: string, to: string): Promise<string[]> {
  world = new World()
  const s = new Stepper(world, Date.parse(from), { catchUp: 'once' })
  await s.put(Date.parse(from), entry)
  await s.start()
  for (let t = Date.parse(from); t <= Date.parse(to); t += 10 * 60_000) await s.at(t + 100)
  return world.fires.map((f) => new Date(f.slotMs).toISOString())
}

describe('daylight saving time (Europe/Berlin, a daily 02:30)', () => {
  it('spring forward: 02:30 does not exist; it fires once, at 03:00 (croner: the first valid time after the gap)', async () => {
    const fired = await walk(at230Berlin, '2025-03-29T00:00:00Z', '2025-03-31T04:00:00Z')
    expect(fired).toEqual([
      '2025-03-29T01:30:00.000Z', // 02:30 CET (+01:00)
      '2025-03-30T01:00:00.000Z', // 03:00 CEST: the clock jumped from 02:00 to 03:00
      '2025-03-31T00:30:00.000Z', // 02:30 CEST (+02:00)
    ])
    expect(world.fires.every((f) => !f.catchUp)).toBe(true)
  })

  it('fall back: 02:30 happens twice; it fires once, at the first', async () => {
    const fired = await walk(at230Berlin, '2025-10-25T00:00:00Z', '2025-10-27T04:00:00Z')
    expect(fired).toEqual([
      '2025-10-25T00:30:00.000Z', // 02:30 CEST
      '2025-10-26T00:30:00.000Z', // the first 02:30 (CEST); not again at 01:30Z (CET)
      '2025-10-27T01:30:00.000Z', // 02:30 CET
    ])
  })

  it('an every-30-minutes pattern keeps its real-time pace through the repeated hour', async () => {
    const fired = await walk(
      { ...at230Berlin, name: 'half-hourly', cron: '*/30 * * * *' },
      '2025-10-25T23:45:00Z',
      '2025-10-26T02:05:00Z',
    )
    expect(fired).toEqual([
      '2025-10-26T00:00:00.000Z',
      '2025-10-26T00:30:00.000Z',
      '2025-10-26T01:00:00.000Z',
      '2025-10-26T01:30:00.000Z',
      '2025-10-26T02:00:00.000Z',
    ])
  })
})

describe('endAt and limit', () => {
  const minutely: ScheduleFileEntry = {
    name: 'm',
    cron: '* * * * *',
    type: 'sms',
    payload: sms,
  }
  const T = (hhmm: string) => Date.parse(`2030-01-01T${hhmm}:00Z`)

  async function minutes(entry: ScheduleFileEntry, until: number): Promise<Stepper> {
    world = new World()
    const s = new Stepper(world, T('00:00') + 30_000)
    await s.put(s.now, entry)
    await s.start()
    for (let t = T('00:01'); t <= T(`00:0${until}`); t += 60_000) await s.at(t + 100)
    return s
  }

  it('limit: fires that many slots, then is finished; raising it fires again', async () => {
    const s = await minutes({ ...minutely, limit: 3 }, 5)
    expect(slotsOf(world.fires.map((f) => f.jobId))).toEqual([T('00:01'), T('00:02'), T('00:03')])
    const schedule = await world.store.require('m')
    expect(schedule.record?.fires).toBe(3)
    expect(schedule.dueAt).toBeNull()
    await s.write(T('00:05') + 30_000, () => world.store.patch('m', { limit: 4 }))
    await s.at(T('00:06') + 100)
    await s.at(T('00:07') + 100)
    expect(world.fires.map((f) => f.slotMs).slice(3)).toEqual([T('00:06')])
  })

  it('endAt: no slot after it; startAt: none before it', async () => {
    await minutes(
      {
        ...minutely,
        startAt: new Date(T('00:02') - 1).toISOString(),
        endAt: new Date(T('00:04')).toISOString(),
      },
      6,
    )
    expect(world.fires.map((f) => f.slotMs)).toEqual([T('00:02'), T('00:03'), T('00:04')])
    expect((await world.store.require('m')).dueAt).toBeNull()
  })
})

describe('a fixed interval across a leader failover', () => {
  it('fires every slot once, on the anchor grid: no double fire, no drift', async () => {
    world = new World()
    // Anchored off the second, so that nothing lines up with a clock by chance.
    const anchor = Math.ceil(Date.now() / 1000) * 1000 + 1_337
    await world.put({
      name: 'every',
      everyMs: 1_500,
      startAt: new Date(anchor).toISOString(),
      type: 'sms',
      payload: sms,
      catchUp: 'all',
    })
    const options = { leaseMs: 800, catchUp: 'all' as const }
    const a = world.scheduler(options)
    const b = world.scheduler(options)
    await Promise.all([a.start(), b.start()])
    const [leader, standby] = a.isLeader ? [a, b] : [b, a]
    await waitFor('two fires', () => world.fires.length >= 2, 15_000)
    await world.stop(leader, { releaseLease: false })
    const before = world.fires.length
    await waitFor('the new leader to fire three', () => world.fires.length >= before + 3, 15_000)
    await world.stop(standby)

    const slots = slotsOf(await world.jobIds('every'))
    expect(new Set(slots).size).toBe(slots.length)
    expect(slots).toEqual(world.fires.map((f) => f.slotMs).sort((x, y) => x - y))
    for (const slot of slots) expect((slot - anchor) % 1_500).toBe(0)
    // No gap: the slots the dead leader's lease covered were caught up, each once.
    expect(slots.at(-1)! - slots[0]!).toBe((slots.length - 1) * 1_500)
    expect(new Set(world.fires.map((f) => f.by)).size).toBe(2)
  })
})
