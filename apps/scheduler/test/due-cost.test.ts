/**
 * The leader's Redis work per tick grows with the schedules that are due, not with all
 * of them: measured by counting commands (INFO commandstats, which counts the commands
 * scripts run too) on a redis-server of this test's own, with 10 and with 1,000
 * schedules of which one fires every second. Timing is not measured.
 */
import { startRedisServer, type RedisServerHandle } from '@conveyor/queue-core/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { perSecond, waitFor, World } from './support/harness.js'

// Commands that read a whole collection: none may run on the way of a tick.
const WHOLE_COLLECTION = ['hgetall', 'hkeys', 'hvals', 'smembers', 'keys', 'scan', 'hscan', 'sort']
const FIRES_MEASURED = 5

let server: RedisServerHandle
let admin: Redis
beforeAll(async () => {
  server = await startRedisServer()
  admin = new Redis(server.url)
})
afterAll(async () => {
  await admin.quit()
  await server.stop()
})

async function commandCalls(): Promise<Map<string, number>> {
  const info = await admin.info('commandstats')
  const calls = new Map<string, number>()
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    const name = m[1] ?? ''
    if (name === 'info' || name.startsWith('config')) continue
    calls.set(name, Number(m[2]))
  }
  return calls
}

const total = (calls: Map<string, number>) => [...calls.values()].reduce((a, b) => a + b, 0)

/** Commands per fire of the per-second schedule while `others` daily schedules wait. */
async function measure(others: number) {
  const world = new World(server.url)
  try {
    for (let i = 0; i < others; i += 1) {
      await world.put({ ...perSecond(`daily-${i}`), cron: `${i % 60} ${i % 60} 3 * * *` })
    }
    await world.put(perSecond())
    // A long lease: no renewal falls in the window.
    const scheduler = world.scheduler({ leaseMs: 60_000, catchUp: 'once' })
    await scheduler.start()
    // The first ticks look at every new schedule once (each was due at its creation).
    await waitFor(
      'every new schedule looked at',
      async () => {
        const due = await admin.zrangebyscore(world.keys.due, '-inf', Date.now() - 1_000)
        return due.length === 0 && world.fires.length >= 2
      },
      60_000,
    )
    const start = world.fires.length
    await waitFor('the next fire', () => world.fires.length > start, 5_000)
    await admin.config('RESETSTAT')
    const from = world.fires.length
    await waitFor(
      `${FIRES_MEASURED} fires`,
      () => world.fires.length >= from + FIRES_MEASURED,
      15_000,
    )
    const calls = await commandCalls()
    await world.stop(scheduler)
    expect(world.errors).toEqual([])
    return { calls, perFire: total(calls) / FIRES_MEASURED }
  } finally {
    await world.cleanup()
  }
}

describe('the cost of a tick', () => {
  it('is the same with 1,000 schedules as with 10 when one is due per second', async () => {
    const few = await measure(9)
    const many = await measure(999)
    console.log(
      `[due-cost] commands per fire: 10 schedules ${few.perFire.toFixed(1)}, ` +
        `1,000 schedules ${many.perFire.toFixed(1)}; ` +
        `by command (1,000): ${JSON.stringify(Object.fromEntries(many.calls))}`,
    )
    for (const name of WHOLE_COLLECTION) expect(many.calls.get(name), name).toBeUndefined()
    // O(all schedules) would be some 990 more commands a tick; the windows differ only
    // by the listener's 5 s re-read (a BLPOP and a due read) falling in one or not.
    expect(Math.abs(many.perFire - few.perFire)).toBeLessThan(5)
    // A fire is a handful of commands (due read, claim, enqueue, confirm, reschedule).
    expect(many.perFire).toBeLessThan(40)
  })
})
