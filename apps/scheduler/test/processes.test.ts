import { writeFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { perSecond, slotsOf, waitFor, World } from './support/harness.js'
import { SchedulerProcess } from './support/process.js'

let world: World
let dir: string
const processes: SchedulerProcess[] = []

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.terminate()))
  await world.cleanup()
  await rm(dir, { recursive: true, force: true })
})

describe('two scheduler processes', () => {
  it('fire each slot of a per-second schedule once, with no gap, and exit 0 on SIGTERM', async () => {
    world = new World()
    dir = await mkdtemp(join(tmpdir(), 'scheduler-'))
    const file = join(dir, 'schedules.json')
    await writeFile(file, JSON.stringify([perSecond('every-second')]))
    const env = { QUEUE_PREFIX: world.prefix, SCHEDULES_FILE: file, SCHEDULER_LEASE_MS: '3000' }
    const pair = [new SchedulerProcess(env), new SchedulerProcess(env)]
    processes.push(...pair)

    const fired = () => pair.flatMap((p) => p.logged('schedule fired'))
    await waitFor('about 4 s of firing', () => fired().length >= 5, 20_000)
    const codes = await Promise.all(pair.map((p) => p.terminate()))
    expect(codes).toEqual([0, 0])

    for (const p of pair) {
      const [started] = p.logged('scheduler started')
      const [schedule] = started?.schedules as { name: string; cron: string; nextRun: string }[]
      expect(schedule).toMatchObject({ name: 'every-second', cron: '* * * * * *' })
      expect(Date.parse(schedule?.nextRun ?? '')).toBeGreaterThan(0)
    }
    expect(pair.flatMap((p) => p.logged('leadership acquired'))).toHaveLength(1)

    const lines = fired()
    expect(lines.every((l) => l.created === true && typeof l.jobId === 'string')).toBe(true)
    const ids = lines.map((l) => String(l.jobId))
    expect(new Set(ids).size).toBe(ids.length)
    const slots = slotsOf(await world.jobIds('every-second'))
    expect(slots).toEqual(slotsOf(ids))
    expect(slots.at(-1)! - slots[0]!).toBe((slots.length - 1) * 1000)
    for (const l of lines) {
      expect(l.jobId).toBe(`default:sched:every-second:${Date.parse(String(l.slot))}`)
    }
  })
})
