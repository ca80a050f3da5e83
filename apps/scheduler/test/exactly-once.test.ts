import { afterEach, describe, expect, it } from 'vitest'
import { perSecond, slotsOf, waitFor, World } from './support/harness.js'

let world: World
afterEach(async () => {
  await world.cleanup()
})

/** Every fired slot reported by exactly one scheduler and enqueued as exactly one job. */
async function expectEachSlotOnce(name: string): Promise<number[]> {
  const created = world.fires.filter((f) => f.created).map((f) => f.slotMs)
  expect(new Set(created).size).toBe(created.length)
  // A claim is never enqueued a second time: nobody tried an existing id.
  expect(world.fires.filter((f) => !f.created)).toEqual([])
  const slots = slotsOf(await world.jobIds(name))
  expect(slots).toEqual([...created].sort((a, b) => a - b))
  for (const slot of slots) expect(slot % 1000).toBe(0)
  return slots
}

describe('exactly once', () => {
  it('two schedulers on a per-second schedule fire every slot once, with no gap', async () => {
    world = new World()
    await world.put(perSecond())
    const options = { leaseMs: 3_000, catchUp: 'once' as const }
    const a = world.scheduler(options)
    const b = world.scheduler(options)
    await Promise.all([a.start(), b.start()])
    await waitFor('about 4 s of firing', () => world.fires.length >= 5)
    await Promise.all([world.stop(a), world.stop(b)])

    const slots = await expectEachSlotOnce('tick')
    expect(slots.length).toBeGreaterThanOrEqual(5)
    expect(slots.at(-1)! - slots[0]!).toBe((slots.length - 1) * 1000)
    expect(world.errors).toEqual([])
  })

  it('fires no slot twice across a leader dying mid-run', async () => {
    world = new World()
    await world.put(perSecond())
    const options = { leaseMs: 600, catchUp: 'once' as const }
    const a = world.scheduler(options)
    const b = world.scheduler(options)
    await Promise.all([a.start(), b.start()])
    const [leader, standby] = a.isLeader ? [a, b] : [b, a]
    await waitFor('the first leader to fire twice', () => world.fires.length >= 2)
    await world.stop(leader, { releaseLease: false })
    const before = world.fires.length
    await waitFor('the new leader to fire twice', () => world.fires.length >= before + 2)
    await world.stop(standby)

    const slots = await expectEachSlotOnce('tick')
    expect(slots.length).toBeGreaterThanOrEqual(4)
    expect(new Set(world.fires.map((f) => f.by)).size).toBe(2)
  })

  it('does not step over a slot when its timer fires a millisecond early', async () => {
    world = new World()
    const slot = Date.parse('2024-01-01T00:00:09.000Z')
    world.storeNow = slot - 5000
    const id = await world.put(perSecond())
    await world.redis().hset(world.keys.slots, id, `${slot - 1000}|fired|1|4`)
    // The tick wakes 1 ms before the slot (timers may), and its round trips end after it;
    // from then on the clock runs in real time.
    let startedAt: number | null = null
    const clock = () => {
      if (startedAt === null) {
        startedAt = Date.now()
        return slot - 1
      }
      return slot + 1 + (Date.now() - startedAt)
    }
    const options = { leaseMs: 3_000, catchUp: 'skip' as const }
    await world.scheduler({ ...options, clock }).start()
    await waitFor('the slot to fire', () => world.fires.length > 0, 2_000)
    expect(world.fires).toMatchObject([{ slotMs: slot, created: true, catchUp: false }])
  })
})
