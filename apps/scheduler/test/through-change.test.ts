/**
 * Exactly once through change: each slot belongs to the definition that was in force
 * at the slot's time (the time of a change is when it was written, by Redis's clock),
 * whenever the leader gets to it; a slot decided is never decided again, whatever the
 * change. The leader's clock and the writes' clock are the test's; Redis is real.
 */
import type { ScheduleFileEntry } from '@conveyor/queue-core'
import { afterEach, describe, expect, it } from 'vitest'
import { waitFor, World } from './support/harness.js'
import { Stepper } from './support/stepper.js'

const T = (hhmmss: string) => Date.parse(`2030-01-01T${hhmmss}Z`)
const minutely = (message: string, name = 'm'): ScheduleFileEntry => ({
  name,
  cron: '* * * * *',
  type: 'sms',
  payload: { phone: '+84912345678', message },
})
const job = (name: string, hhmm: string) => `default:sched:${name}:${T(`${hhmm}:00`)}`

let world: World
afterEach(async () => {
  await world.cleanup()
})

async function stepper(catchUp: 'once' | 'skip' | 'all' = 'all'): Promise<Stepper> {
  world = new World()
  const s = new Stepper(world, T('00:00:30'), { catchUp })
  await s.put(T('00:00:30'), minutely('v1'))
  await s.start()
  return s
}

describe('a change just before or just after a slot', () => {
  it('an edit written before the slot: the slot fires with the new definition', async () => {
    const s = await stepper()
    await s.write(T('00:00:59.900'), () =>
      world.store.patch('m', { payload: { phone: '+84912345678', message: 'v2' } }),
    )
    await s.at(T('00:01:00.200'))
    expect(await s.messages()).toEqual({ [job('m', '00:01')]: 'v2' })
  })

  it('an edit written after the slot time, before the leader claimed it: the old definition fires it', async () => {
    const s = await stepper()
    await s.write(T('00:01:00.100'), () =>
      world.store.patch('m', { payload: { phone: '+84912345678', message: 'v2' } }),
    )
    await s.at(T('00:01:00.300'))
    await s.at(T('00:02:00.100'))
    expect(await s.messages()).toEqual({ [job('m', '00:01')]: 'v1', [job('m', '00:02')]: 'v2' })
    // Every slot of the old revision is decided: it is forgotten.
    const id = (await world.store.require('m')).id
    expect(await world.redis().hget(world.keys.history, id)).toBeNull()
  })

  it('a cron edit: the new pattern decides the slots after it', async () => {
    const s = await stepper()
    await s.write(T('00:00:59.900'), () => world.store.patch('m', { cron: '*/2 * * * *' }))
    for (const t of ['00:01:00.100', '00:02:00.100', '00:03:00.100', '00:04:00.100']) {
      await s.at(T(t))
    }
    expect(world.fires.map((f) => f.jobId)).toEqual([job('m', '00:02'), job('m', '00:04')])
  })

  it('pause before a slot: it does not fire, nor do the paused ones after resume', async () => {
    const s = await stepper()
    await s.write(T('00:00:59.900'), () => world.store.setPaused('m', true))
    await s.at(T('00:01:00.200'))
    await s.at(T('00:02:00.200'))
    await s.write(T('00:02:30'), () => world.store.setPaused('m', false))
    await s.at(T('00:03:00.100'))
    // Paused after 00:04 came but before the leader got to it: 00:04 was active.
    await s.write(T('00:04:00.050'), () => world.store.setPaused('m', true))
    await s.at(T('00:04:00.200'))
    await s.at(T('00:05:00.200'))
    expect(world.fires.map((f) => f.jobId)).toEqual([job('m', '00:03'), job('m', '00:04')])
    const id = (await world.store.require('m')).id
    // Paused and settled: not in the due set, so the leader does not look at it.
    expect(await world.redis().zscore(world.keys.due, id)).toBeNull()
  })

  it('rename keeps the record of decided slots; a slot before the rename keeps the old name', async () => {
    const s = await stepper()
    await s.at(T('00:01:00.100'))
    await s.write(T('00:01:00.500'), () => world.store.patch('m', { name: 'n' }))
    await s.at(T('00:01:00.700'))
    // Renamed after 00:02 came, before the leader got to it: 00:02 is still "n"'s.
    await s.write(T('00:02:00.100'), () => world.store.patch('n', { name: 'o' }))
    await s.at(T('00:02:00.300'))
    await s.at(T('00:03:00.300'))
    expect(world.fires.map((f) => f.jobId)).toEqual([
      job('m', '00:01'),
      job('n', '00:02'),
      job('o', '00:03'),
    ])
  })

  it('delete and re-create: a slot from before the delete still fires once; the new one starts after its creation', async () => {
    const s = await stepper()
    const oldId = (await world.store.require('m')).id
    await s.write(T('00:01:00.100'), () => world.store.delete('m'))
    await s.put(T('00:01:00.200'), minutely('v2'))
    await s.at(T('00:01:00.300'))
    await s.at(T('00:02:00.100'))
    expect(await s.messages()).toEqual({ [job('m', '00:01')]: 'v1', [job('m', '00:02')]: 'v2' })
    // The deleted schedule owed nothing more, and is gone.
    expect(await world.redis().hget(world.keys.defs, oldId)).toBeNull()
    expect(await world.redis().zscore(world.keys.due, oldId)).toBeNull()
    expect(await world.redis().exists(world.keys.runs(oldId))).toBe(0)
  })

  it('a delete written before the slot: nothing fires for it', async () => {
    const s = await stepper()
    await s.write(T('00:00:59.990'), () => world.store.delete('m'))
    await s.at(T('00:01:00.100'))
    expect(world.fires).toEqual([])
    expect(await world.redis().hlen(world.keys.defs)).toBe(0)
  })
})

describe('changes while no scheduler leads', () => {
  it('a new leader fires each slot once, as the definition in force at its time says', async () => {
    world = new World()
    const first = new Stepper(world, T('00:00:30'), { catchUp: 'all', leaseMs: 400 })
    await first.put(T('00:00:30'), minutely('v1'))
    await first.start()
    await first.at(T('00:00:40'))
    // The leader dies: no release; its lease runs out in real time.
    await world.stop(first.scheduler, { releaseLease: false })
    await first.write(T('00:01:30'), () =>
      world.store.patch('m', { payload: { phone: '+84912345678', message: 'v2' } }),
    )
    await first.write(T('00:02:30'), () => world.store.setPaused('m', true))
    await first.write(T('00:03:30'), () => world.store.setPaused('m', false))
    await first.write(T('00:04:30'), () =>
      world.store.patch('m', { payload: { phone: '+84912345678', message: 'v3' } }),
    )
    const second = new Stepper(world, T('00:05:10'), { catchUp: 'all', leaseMs: 400 })
    await waitFor("the dead leader's lease to run out", async () => {
      await second.start()
      return second.scheduler.isLeader
    })
    await second.at(T('00:05:10'))
    expect(await second.messages()).toEqual({
      [job('m', '00:01')]: 'v1',
      [job('m', '00:02')]: 'v2',
      // 00:03 came while paused.
      [job('m', '00:04')]: 'v2',
      [job('m', '00:05')]: 'v3',
    })
    expect(world.fires.filter((f) => f.catchUp).length).toBe(4)
    const id = (await world.store.require('m')).id
    expect(await world.redis().hget(world.keys.history, id)).toBeNull()
  })
})
