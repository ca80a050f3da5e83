import { ConveyorClient } from '@conveyor/client'
import { builtinJobTypes, Conveyor, defineJobTypes } from '@conveyor/queue-core'
import { startSystem, type System, until } from '@conveyor/test-support'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { conveyor } from './support/run-cli.js'

const KEY = 'ck_cli_limits_key'
const HOUR = 3_600_000
const registry = defineJobTypes(builtinJobTypes)
let system: System
let env: Record<string, string>
// Second paths: the API over HTTP, and what Redis stores, read with queue-core.
let client: ConveyorClient
let stored: Conveyor<typeof registry.types>

beforeAll(async () => {
  system = await startSystem({ redisUrl: inject('redisUrl'), apiKeys: KEY })
  env = { CONVEYOR_URL: system.url, CONVEYOR_API_KEY: KEY }
  client = new ConveyorClient({ url: system.url, apiKey: KEY })
  stored = new Conveyor({
    connection: inject('redisUrl'),
    registry,
    prefix: system.prefix,
  })
}, 60_000)

afterAll(async () => {
  await stored?.close()
  await system?.close()
})

let phones = 0
const sms = (message: string) =>
  JSON.stringify({ phone: `+1555000${6000 + (phones += 1)}`, message })
const limitsIn = (queue: string) => stored.queue(queue).limits

describe('conveyor limits and groups against the real API', () => {
  it('sets, shows and clears a queue’s limits and a group’s override, as Redis stores them', async () => {
    const set = await conveyor(
      ['limits', 'set', 'default', '--rate', '500/1000', '--groups-concurrency', '3'],
      env,
    )
    expect(set.code, set.stderr).toBe(0)
    expect(set.stdout).toBe(
      'rate                     500 per 1000 ms\neach group: concurrency  3\n',
    )
    const limits = { rate: { max: 500, perMs: 1000 }, groups: { concurrency: 3 } }
    expect(await limitsIn('default').get()).toEqual(limits)
    const json = await conveyor(['limits', 'get', 'default', '--json'], env)
    expect(JSON.parse(json.stdout)).toEqual(limits)

    const group = ['--group', 'tenant 1']
    const override = await conveyor(
      ['limits', 'set', 'default', ...group, '--concurrency', '1', '--rate', '20/60000'],
      env,
    )
    expect(override.code, override.stderr).toBe(0)
    expect(await limitsIn('default').getGroup('tenant 1')).toEqual({
      concurrency: 1,
      rate: { max: 20, perMs: 60_000 },
    })
    const shown = await conveyor(['limits', 'get', 'default', ...group], env)
    expect(shown.stdout).toBe('concurrency  1\nrate         20 per 60000 ms\n')

    const cleared = await conveyor(['limits', 'clear', 'default', ...group], env)
    expect(cleared.stdout).toBe('cleared the limits of group tenant 1 of default\n')
    expect(await limitsIn('default').getGroup('tenant 1')).toBeNull()
    expect((await conveyor(['limits', 'get', 'default', ...group], env)).stdout).toBe(
      "no override for group tenant 1 of default: the queue's group limits apply\n",
    )
    expect((await conveyor(['limits', 'clear', 'default', '--json'], env)).code).toBe(0)
    expect(await limitsIn('default').get()).toEqual({})
    expect((await conveyor(['limits', 'get', 'default'], env)).stdout).toBe(
      'no limits on default\n',
    )
  })

  it('exits 4 with the server’s message for a bad limit, changing nothing; 2 and 3 as usual', async () => {
    await client.limits.set('convert', { rate: { max: 5, perMs: 1000 } })
    try {
      const zero = await conveyor(['limits', 'set', 'convert', '--rate', '0/1000'], env)
      expect(zero.code).toBe(4)
      expect(zero.stderr).toMatch(
        /^conveyor: PUT \/queues\/convert\/limits: 400 validation_failed: \/rate\/max /,
      )
      const group = ['limits', 'set', 'convert', '--group', 'g', '--concurrency', '0']
      const none = await conveyor(group, env)
      expect(none.code).toBe(4)
      expect(none.stderr).toMatch(/400 validation_failed: \/concurrency /)
      expect(await limitsIn('convert').get()).toEqual({ rate: { max: 5, perMs: 1000 } })
      expect(await limitsIn('convert').getGroup('g')).toBeNull()
    } finally {
      await client.limits.clear('convert')
    }
    const usage = [
      ['limits', 'set', 'default', '--rate', 'fast'],
      ['limits', 'set', 'default'],
      ['limits', 'set', 'default', '--concurrency', '2'],
      ['limits', 'frob', 'default'],
      ['limits'],
    ]
    for (const args of usage) {
      const run = await conveyor(args, env)
      expect(run.code, args.join(' ')).toBe(2)
      expect(run.stderr).toMatch(/^conveyor: /)
    }
    expect(await limitsIn('default').get()).toEqual({})
    const help = (await conveyor(['--help'])).stdout
    for (const command of ['limits set <queue>', 'groups <queue>', 'flow create', 'batch add'])
      expect(help).toContain(`  ${command}`)
    const missing = await conveyor(['limits', 'get', 'no-such-queue'], env)
    expect(missing.code).toBe(3)
    expect(missing.stderr).toMatch(/404 queue_not_found/)
  })

  it('lists the groups its limits hold back, a page at a time', async () => {
    const run = Date.now().toString(36)
    const names = [`cli-${run}-a`, `cli-${run}-b`]
    const once = await conveyor(['limits', 'set', 'default', '--groups-rate', `1/${HOUR}`], env)
    expect(once.code, once.stderr).toBe(0)
    try {
      const held: string[] = []
      for (const group of names) {
        const enqueue = ['enqueue', 'sms', '--group', group, '--json', '--payload']
        const first = await conveyor([...enqueue, sms('first'), '--wait'], env)
        expect(JSON.parse(first.stdout)).toMatchObject({ state: 'completed', group })
        const second = await conveyor([...enqueue, sms('second')], env)
        held.push((JSON.parse(second.stdout) as { id: string }).id)
      }
      for (const id of held) {
        await until(async () => (await client.getJob(id)).waitingOn === 'group_rate', id)
      }

      const page = await conveyor(['groups', 'default', '--limit', '1'], env)
      expect(page.code, page.stderr).toBe(0)
      expect(page.stdout).toMatch(new RegExp(`^GROUP +QUEUED +RUNNING\\n${names[0]} +1 +0\\n$`))
      expect(page.stderr).toBe(`1 group of default; next page: --cursor ${names[0]}\n`)
      const next = await conveyor(
        ['groups', 'default', '--limit', '1', '--cursor', names[0] ?? '', '--json'],
        env,
      )
      // The last page says so, full as it is: no cursor.
      expect(JSON.parse(next.stdout)).toEqual({
        queue: 'default',
        groups: [{ group: names[1], queued: 1, running: 0 }],
        cursor: null,
      })
      const after = ['groups', 'default', '--cursor', names[1] ?? '', '--json']
      expect(JSON.parse((await conveyor(after, env)).stdout)).toMatchObject({ cursor: null })
      const all = await conveyor(['groups', 'default', '--all', '--limit', '1', '--json'], env)
      const listed = JSON.parse(all.stdout) as { groups: { group: string }[] }
      expect(listed.groups.map((g) => g.group)).toEqual(names)
      expect((await limitsIn('default').groups()).groups.map((g) => g.group)).toEqual(names)

      expect((await conveyor(['limits', 'clear', 'default'], env)).code).toBe(0)
      for (const id of held) {
        expect((await client.waitFor(id, { timeoutMs: 30_000 })).state).toBe('completed')
      }
      const empty = await conveyor(['groups', 'default'], env)
      expect(empty.stdout).toBe('no groups with queued or running jobs in default\n')
    } finally {
      await client.limits.clear('default')
    }
  })

  it('enqueues with a group and a dedup key: a repeat gives the first job', async () => {
    const key = `cli-order-${Date.now()}`
    const args = ['enqueue', 'sms', '--group', 'tenant-9', '--dedup-key', key]
    const later = ['--delay-ms', String(HOUR), '--json']
    const first = await conveyor([...args, '--payload', sms('first'), ...later], env)
    const again = await conveyor([...args, '--payload', sms('again'), ...later], env)
    const { id } = JSON.parse(first.stdout) as { id: string }
    expect(JSON.parse(again.stdout)).toMatchObject({ id, status: 'scheduled' })
    expect(await stored.getJob(id)).toMatchObject({
      group: 'tenant-9',
      state: 'scheduled',
      payload: { message: 'first' },
    })
    await client.cancel(id)
    const bad = await conveyor([...args, '--dedup-mode', 'sometimes', '--payload', sms('x')], env)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^conveyor: --dedup-mode must be one of unique, throttle, debounce/)
  })
})
