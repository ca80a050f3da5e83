import {
  Queue,
  type CatchUp,
  type EmailPayload,
  type ScheduleFileEntry,
} from '@conveyor/queue-core'
import { jobRegistry } from '@conveyor/service-kit'
import { afterEach, describe, expect, it } from 'vitest'
import { World } from './support/harness.js'

// A frozen clock half an hour past a slot of an hourly schedule: that slot is missed,
// whatever the time the test runs at.
const NOW = Date.parse('2024-01-01T00:30:00.000Z')
const MISSED = Date.parse('2024-01-01T00:00:00.000Z')
const CREATED = Date.parse('2023-12-31T20:10:00.000Z')
const LONG_AGO = Date.parse('2023-12-31T21:00:00.000Z')

const hourly = (extra: Partial<ScheduleFileEntry> = {}): ScheduleFileEntry => ({
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

async function run(options: { catchUp: CatchUp; record?: string; spec?: ScheduleFileEntry }) {
  world.storeNow = CREATED
  const id = await world.put(options.spec ?? hourly())
  const keys = world.keys
  if (options.record) await world.redis().hset(keys.slots, id, options.record)
  const scheduler = world.scheduler({ leaseMs: 5_000, catchUp: options.catchUp, clock: () => NOW })
  await scheduler.start()
  expect(scheduler.isLeader).toBe(true)
  await world.stop(scheduler)
  const { missed, runs } = await world.store.history(id)
  return {
    skipped: world.skips.map((s) => s.slotMs),
    record: await world.redis().hget(keys.slots, id),
    missed,
    runs,
  }
}

describe('catch-up', () => {
  it("'once' fires the most recent missed slot, once, and records the ones it passed over", async () => {
    world = new World()
    const { record, missed, runs } = await run({
      catchUp: 'once',
      record: `${LONG_AGO}|fired|1|1`,
    })
    expect(await world.jobIds('hourly')).toEqual([`default:sched:hourly:${MISSED}`])
    expect(world.fires).toMatchObject([{ slotMs: MISSED, created: true, catchUp: true }])
    expect(record).toMatch(new RegExp(`^${MISSED}\\|fired\\|\\d+\\|2$`))
    // 22:00 and 23:00 passed without a leader; 00:00 fired late.
    expect(missed).toMatchObject([
      { from: LONG_AGO + 3_600_000, to: LONG_AGO + 7_200_000, count: 2, reason: 'missed' },
    ])
    expect(runs).toMatchObject([
      { slotMs: MISSED, jobId: `default:sched:hourly:${MISSED}`, kind: 'catch-up' },
    ])
  })

  it("'skip' fires nothing and records the slots as skipped", async () => {
    world = new World()
    const { skipped, record, missed } = await run({
      catchUp: 'skip',
      record: `${LONG_AGO}|fired|1|1`,
    })
    expect(await world.jobIds('hourly')).toEqual([])
    expect(skipped).toEqual([MISSED])
    expect(record).toMatch(new RegExp(`^${MISSED}\\|skipped\\|\\d+\\|1$`))
    expect(missed).toMatchObject([{ to: MISSED, count: 3, reason: 'skipped' }])
  })

  it("'all' fires every missed slot once, oldest first", async () => {
    world = new World()
    await run({ catchUp: 'all', record: `${LONG_AGO}|fired|1|1` })
    const slots = [1, 2, 3].map((h) => LONG_AGO + h * 3_600_000)
    expect(world.fires.map((f) => f.slotMs)).toEqual(slots)
    expect((await world.jobIds('hourly')).sort()).toEqual(
      slots.map((s) => `default:sched:hourly:${s}`),
    )
  })

  it("a schedule's own catchUp overrides the default", async () => {
    world = new World()
    await run({
      catchUp: 'once',
      record: `${LONG_AGO}|fired|1|1`,
      spec: hourly({ catchUp: 'skip' }),
    })
    expect(await world.jobIds('hourly')).toEqual([])
  })

  it('counts the slots since its creation for a schedule that never fired', async () => {
    world = new World()
    // Created at 20:10, never fired: 21:00 .. 00:00 passed without a leader.
    const { record, missed } = await run({ catchUp: 'once' })
    expect(await world.jobIds('hourly')).toEqual([`default:sched:hourly:${MISSED}`])
    expect(record).toMatch(new RegExp(`^${MISSED}\\|fired\\|`))
    expect(missed).toMatchObject([{ from: LONG_AGO, count: 3 }])
  })

  it('fires nothing for a schedule created after its last slot', async () => {
    world = new World()
    world.storeNow = NOW - 60_000
    const id = await world.put(hourly())
    const scheduler = world.scheduler({ leaseMs: 5_000, catchUp: 'once', clock: () => NOW })
    await scheduler.start()
    await world.stop(scheduler)
    expect(await world.jobIds('hourly')).toEqual([])
    expect(await world.redis().hget(world.keys.slots, id)).toBeNull()
    expect(Number(await world.redis().zscore(world.keys.due, id))).toBe(NOW + 30 * 60_000)
  })

  it('enqueues a claim a dead leader left unfinished, as it was claimed', async () => {
    world = new World()
    const pending = {
      name: 'hourly',
      jobId: `sched:hourly:${MISSED}`,
      type: 'email',
      payload: { to: 'claimed@example.com', subject: 'As claimed', body: '' },
      options: {},
      catchUp: false,
    }
    const { record, runs } = await run({
      catchUp: 'skip',
      record: `${MISSED}|claimed|1|3|${JSON.stringify(pending)}`,
    })
    expect(await world.jobIds('hourly')).toEqual([`default:sched:hourly:${MISSED}`])
    expect(world.fires).toMatchObject([{ slotMs: MISSED, created: true, recovered: true }])
    expect(record).toBe(`${MISSED}|fired|1|3`)
    expect(runs).toMatchObject([{ slotMs: MISSED, recovered: true, kind: 'slot' }])
    const queue = new Queue({
      connection: world.redis(),
      registry: jobRegistry,
      prefix: world.prefix,
    })
    expect((await queue.getJob(`sched:hourly:${MISSED}`))?.payload).toEqual(pending.payload)
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
    // Written by a scheduler older than stored schedules: no pending job in the record.
    await run({ catchUp: 'once', record: `${MISSED}|claimed|1` })
    expect(await world.jobIds('hourly')).toEqual([`default:${jobId}`])
    expect(world.fires).toMatchObject([{ slotMs: MISSED, created: false, recovered: true }])
  })
})
