/**
 * Live changes: a write to a schedule wakes the leader through the nudge list, so a
 * change takes effect at the next slot, not at the leader's periodic re-read (5 s).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { perSecond, waitFor, World } from './support/harness.js'

let world: World
afterEach(async () => {
  await world.cleanup()
})

describe('a change on a running leader', () => {
  it('takes effect within a second: a daily schedule made per-second, paused, resumed', async () => {
    world = new World()
    await world.put({ ...perSecond(), cron: '0 0 3 * * *' })
    const scheduler = world.scheduler({ leaseMs: 10_000, catchUp: 'skip' })
    await scheduler.start()
    const id = (await world.store.require('tick')).id
    await waitFor('the leader to look at it', async () => {
      return Number(await world.redis().zscore(world.keys.due, id)) > Date.now()
    })

    const edited = Date.now()
    await world.store.patch('tick', { cron: '* * * * * *' })
    await waitFor('a fire', () => world.fires.length > 0)
    // The first slot after the edit, or the one after it: not 5 s later.
    expect(world.fires[0]!.slotMs - edited).toBeLessThanOrEqual(2_000)

    const paused = Date.now()
    await world.store.setPaused('tick', true)
    const firedBefore = world.fires.length
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect(world.fires.slice(firedBefore).filter((f) => f.slotMs > paused)).toEqual([])

    const resumed = Date.now()
    await world.store.setPaused('tick', false)
    await waitFor('a fire after resume', () => world.fires.some((f) => f.slotMs > resumed))
    const first = world.fires.find((f) => f.slotMs > resumed)!
    expect(first.slotMs - resumed).toBeLessThanOrEqual(2_000)
    // Nothing of the paused time was caught up.
    expect(world.fires.filter((f) => f.slotMs > paused && f.slotMs <= resumed)).toEqual([])
    expect(world.errors).toEqual([])
  })
})
