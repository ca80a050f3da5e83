import { Queue, type EmailPayload } from '@conveyor/queue-core'
import { jobRegistry } from '@conveyor/service-kit'
import { afterEach, describe, expect, it } from 'vitest'
import { schedulerKeys } from '../src/keys.js'
import type { CatchUp, ScheduleSpec } from '../src/schedules.js'
import { schedules, World } from './support/harness.js'

// A frozen clock half an hour past a slot of an hourly schedule: that slot is missed,
// whatever the time the test runs at.
const NOW = Date.parse('2024-01-01T00:30:00.000Z')
const MISSED = Date.parse('2024-01-01T00:00:00.000Z')
const LONG_AGO = Date.parse('2023-12-01T00:00:00.000Z')

const hourly = (extra: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  name: 'hourly',
  cron: '0 * * * *',
  type: 'email',
  payload: { to: 'user@example.com', subject: 'Nhắc nhở định kỳ', body: 'Mỗi giờ.' },
  ...extra,
})

let world: World
afterEach(async () => {
  await world.cleanup()
})

async function run(options: { catchUp: CatchUp; record?: string; spec?: ScheduleSpec }) {
  const keys = schedulerKeys(world.prefix)
  if (options.record) await world.redis().hset(keys.slots, 'hourly', options.record)
  const scheduler = world.scheduler({
    schedules: schedules(options.spec ?? hourly()),
    leaseMs: 5_000,
    catchUp: options.catchUp,
    clock: () => NOW,
  })
  const skipped: number[] = []
  scheduler.on('skip', (e) => skipped.push(e.slotMs))
  await scheduler.start()
  expect(scheduler.isLeader).toBe(true)
  await world.stop(scheduler)
  return { skipped, record: await world.redis().hget(keys.slots, 'hourly') }
}

describe('catch-up', () => {
  it("'once' fires the most recent missed slot, once", async () => {
    world = new World()
    const { record } = await run({ catchUp: 'once', record: `${LONG_AGO}|fired|1` })
    expect(await world.jobIds('hourly')).toEqual([`sched:hourly:${MISSED}`])
    expect(world.fires).toMatchObject([{ slotMs: MISSED, created: true, catchUp: true }])
    expect(record).toMatch(new RegExp(`^${MISSED}\\|fired\\|\\d+$`))
  })

  it("'skip' fires nothing and records the slot as skipped", async () => {
    world = new World()
    const { skipped, record } = await run({ catchUp: 'skip', record: `${LONG_AGO}|fired|1` })
    expect(await world.jobIds('hourly')).toEqual([])
    expect(skipped).toEqual([MISSED])
    expect(record).toMatch(new RegExp(`^${MISSED}\\|skipped\\|\\d+$`))
  })

  it("a schedule's own catchUp overrides the default", async () => {
    world = new World()
    const spec = hourly({ catchUp: 'skip' })
    await run({ catchUp: 'once', record: `${LONG_AGO}|fired|1`, spec })
    expect(await world.jobIds('hourly')).toEqual([])
  })

  it('fires nothing for a schedule that never fired: starting is not missing a slot', async () => {
    world = new World()
    const { record } = await run({ catchUp: 'once' })
    expect(await world.jobIds('hourly')).toEqual([])
    expect(record).toBeNull()
  })

  it("enqueues a claim a dead leader left unfinished, with the claim's job id", async () => {
    world = new World()
    const { record } = await run({ catchUp: 'skip', record: `${MISSED}|claimed|1` })
    expect(await world.jobIds('hourly')).toEqual([`sched:hourly:${MISSED}`])
    expect(world.fires).toMatchObject([{ slotMs: MISSED, created: true, recovered: true }])
    expect(record).toBe(`${MISSED}|fired|1`)
  })

  it('does not enqueue a leftover claim twice when its job is already there', async () => {
    world = new World()
    const queue = new Queue({
      connection: world.redis(),
      registry: jobRegistry,
      prefix: world.prefix,
    })
    const jobId = `sched:hourly:${MISSED}`
    await queue.enqueue('email', hourly().payload as EmailPayload, { jobId })
    await run({ catchUp: 'once', record: `${MISSED}|claimed|1` })
    expect(await world.jobIds('hourly')).toEqual([jobId])
    expect(world.fires).toMatchObject([{ slotMs: MISSED, created: false, recovered: true }])
  })
})
