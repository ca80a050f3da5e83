import { Conveyor } from '@conveyor/queue-core'
import { jobRegistry, type ConveyorJobTypes } from '@conveyor/service-kit'
import { startSystem, type System, until } from '@conveyor/test-support'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ConveyorApiError, ConveyorClient } from '../src/index.js'

const KEY = 'ck_client_limits_key'
const HOUR = 3_600_000
let system: System
let client: ConveyorClient
// The second path: what the API stored, read from Redis with queue-core.
let stored: Conveyor<ConveyorJobTypes>

beforeAll(async () => {
  system = await startSystem({ redisUrl: inject('redisUrl'), apiKeys: KEY })
  client = new ConveyorClient({ url: system.url, apiKey: KEY })
  stored = new Conveyor({
    connection: inject('redisUrl'),
    registry: jobRegistry,
    prefix: system.prefix,
  })
}, 60_000)

afterAll(async () => {
  await stored?.close()
  await system?.close()
})

async function rejection(promise: Promise<unknown>): Promise<ConveyorApiError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof ConveyorApiError) return err
    throw err
  }
  throw new Error('expected a ConveyorApiError')
}

let phones = 0
const sms = (message: string) => ({ phone: `+1555000${4000 + (phones += 1)}`, message })

describe('ConveyorClient limits and groups against the real API', () => {
  it('sets, reads and clears a queue’s limits and a group’s override, as Redis stores them', async () => {
    const limits = { rate: { max: 500, perMs: 1000 }, groups: { concurrency: 3 } }
    expect(await client.limits.set('default', limits)).toEqual(limits)
    expect(await stored.queue('default').limits.get()).toEqual(limits)
    expect(await client.limits.get('default')).toEqual(limits)

    const override = { concurrency: 1, rate: { max: 20, perMs: 60_000 } }
    expect(await client.limits.setGroup('default', 'tenant/42', override)).toEqual(override)
    expect(await stored.queue('default').limits.getGroup('tenant/42')).toEqual(override)
    expect(await client.limits.getGroup('default', 'tenant/42')).toEqual(override)

    await client.limits.clearGroup('default', 'tenant/42')
    expect(await stored.queue('default').limits.getGroup('tenant/42')).toBeNull()
    expect(await client.limits.getGroup('default', 'tenant/42')).toEqual({})
    await client.limits.clear('default')
    expect(await stored.queue('default').limits.get()).toEqual({})
    expect(await client.limits.get('default')).toEqual({})
  })

  it('refuses a bad limit with the field at fault, changing nothing', async () => {
    const kept = { rate: { max: 5, perMs: 1000 } }
    await client.limits.set('convert', kept)
    try {
      const zero = await rejection(client.limits.set('convert', { rate: { max: 0, perMs: 1000 } }))
      expect(zero).toMatchObject({ code: 'validation_failed', status: 400 })
      expect(zero.details.map((d) => d.path)).toContain('/rate/max')
      expect(zero.message).toMatch(/^PUT \/queues\/convert\/limits: 400 validation_failed: /)
      expect(await stored.queue('convert').limits.get()).toEqual(kept)

      const fraction = await rejection(client.limits.setGroup('convert', 'g', { concurrency: 1.5 }))
      expect(fraction).toMatchObject({ code: 'validation_failed', status: 400 })
      expect(fraction.details.map((d) => d.path)).toContain('/concurrency')
      expect(await stored.queue('convert').limits.getGroup('g')).toBeNull()

      const unknown = await rejection(client.limits.get('no-such-queue'))
      expect(unknown).toMatchObject({ code: 'queue_not_found', status: 404 })
    } finally {
      await client.limits.clear('convert')
    }
  })

  it('holds grouped jobs back by the limits it sets, lists the groups a page at a time, and lets them go', async () => {
    const run = Date.now().toString(36)
    const names = ['a', 'b', 'c'].map((g) => `limits-${run}-${g}`)
    // One start per group per hour: each group's second job waits.
    await client.limits.set('default', { groups: { rate: { max: 1, perMs: HOUR } } })
    try {
      const held: Record<string, string> = {}
      for (const group of names) {
        const first = await client.enqueue('sms', sms(`first ${group}`), { group })
        await client.waitFor(first.id, { timeoutMs: 30_000 })
        held[group] = (await client.enqueue('sms', sms(`second ${group}`), { group })).id
      }
      for (const id of Object.values(held)) {
        await until(
          async () => (await client.getJob(id)).waitingOn === 'group_rate',
          `job ${id} to wait on its group's rate`,
        )
      }

      const first = await client.limits.groups('default', { limit: 2 })
      expect(first.groups.map((g) => g.group)).toEqual(names.slice(0, 2))
      expect(first.groups[0]).toEqual({ group: names[0], queued: 1, running: 0 })
      expect(first.cursor).toBe(names[1])
      const second = await client.limits.groups('default', { limit: 2, cursor: first.cursor })
      expect(second).toEqual({ groups: [{ group: names[2], queued: 1, running: 0 }], cursor: null })
      expect((await stored.queue('default').limits.groups()).groups).toEqual([
        ...first.groups,
        ...second.groups,
      ])
      const all = []
      for await (const g of client.limits.allGroups('default', { limit: 1 })) all.push(g.group)
      expect(all).toEqual(names)

      // An override lets one group go; clearing the queue's limits lets the others go.
      const [a = '', b = '', c = ''] = names
      await client.limits.setGroup('default', a, { rate: { max: 10, perMs: 1000 } })
      expect(await client.waitFor(held[a] ?? '', { timeoutMs: 30_000 })).toMatchObject({
        state: 'completed',
        group: a,
      })
      expect((await client.getJob(held[b] ?? '')).state).toBe('queued')
      await client.limits.clearGroup('default', a)
      await client.limits.clear('default')
      for (const group of [b, c]) {
        const done = await client.waitFor(held[group] ?? '', { timeoutMs: 30_000 })
        expect(done.state).toBe('completed')
      }
      expect(await client.limits.groups('default')).toEqual({ groups: [], cursor: null })
    } finally {
      await client.limits.clear('default')
    }
  })

  it('enqueues with a group and a dedup key: a repeat gives the first job', async () => {
    const key = `order-${Date.now()}`
    const options = { group: 'tenant-7', dedup: { key, mode: 'unique' as const }, delayMs: HOUR }
    const first = await client.enqueue('sms', sms('dedup'), options)
    const again = await client.enqueue('sms', sms('dedup again'), options)
    expect(again.id).toBe(first.id)
    const job = await stored.getJob(first.id)
    expect(job).toMatchObject({ group: 'tenant-7', payload: { message: 'dedup' } })
    expect(await client.getJob(first.id)).toMatchObject({ group: 'tenant-7', state: 'scheduled' })
    await client.cancel(first.id)
  })
})
