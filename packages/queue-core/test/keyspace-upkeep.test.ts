import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queueKeys, type QueueKeys } from '../src/keys.js'
import { startRedisServer, type RedisServerHandle } from '../src/testing/index.js'
import { harness, until } from './support/harness.js'
import { keysUnder } from './support/keyspace.js'

let server: RedisServerHandle
beforeAll(async () => {
  server = await startRedisServer()
})
afterAll(async () => {
  await server.stop()
})

/** The keys that hold per-group or per-dedup-key state, none of which should outlive it. */
const FLOW_CONTROL_KEYS = [
  'qrate',
  'grate',
  'grateexp',
  'groups',
  'gjobs',
  'gready',
  'gwait',
  'gindex',
  'gof',
  'dedup',
  'dedupexp',
  'dedupof',
] as const satisfies readonly (keyof QueueKeys)[]

function leftovers(k: QueueKeys, present: readonly string[]): string[] {
  const names = new Map(FLOW_CONTROL_KEYS.map((name) => [k[name], name]))
  return present.flatMap((key) => names.get(key) ?? [])
}

describe('flow control leaves no keys behind', () => {
  it('once jobs finish and windows pass, no group, rate log or dedup key is left', async () => {
    const h = harness(server.url)
    const k = queueKeys(h.prefix, h.queue.name)
    await h.queue.limits.set({
      rate: { max: 1_000, perMs: 300 },
      groups: { concurrency: 2, rate: { max: 1_000, perMs: 300 } },
    })
    await h.queue.limits.setGroup('g-0', { concurrency: 1 })
    h.worker({
      concurrency: 4,
      handlers: {
        task: (job) => {
          if (job.payload.label === 'fails') throw new Error('always')
        },
      },
    })
    const jobs = []
    for (let n = 0; n < 30; n += 1) {
      jobs.push({ type: 'task' as const, payload: { n }, options: { group: `g-${n % 5}` } })
    }
    for (let n = 0; n < 5; n += 1) {
      jobs.push({
        type: 'task' as const,
        payload: { n },
        options: { group: `g-${n}`, dedup: { key: `u-${n}`, mode: 'unique' as const } },
      })
      jobs.push({
        type: 'task' as const,
        payload: { n },
        options: { dedup: { key: `t-${n}`, mode: 'throttle' as const, ttlMs: 300 } },
      })
      jobs.push({
        type: 'task' as const,
        payload: { n },
        options: { dedup: { key: `d-${n}`, mode: 'debounce' as const, ttlMs: 50 } },
      })
    }
    jobs.push({
      type: 'task' as const,
      payload: { n: 99, label: 'fails' },
      options: {
        group: 'g-dead',
        maxAttempts: 1,
        dedup: { key: 'u-dead', mode: 'unique' as const },
      },
    })
    const made = await h.queue.enqueueBulk(jobs)
    // One unique job cancelled and one removed before they run: their keys go with them.
    const later = { delayMs: 600_000 }
    const cancelled = await h.queue.enqueue(
      'task',
      { n: 1 },
      { ...later, group: 'g-c', dedup: { key: 'u-c', mode: 'unique' } },
    )
    const removed = await h.queue.enqueue(
      'task',
      { n: 2 },
      { ...later, group: 'g-r', dedup: { key: 'u-r', mode: 'unique' } },
    )
    await h.queue.cancel(cancelled.id)
    await h.queue.remove(removed.id)

    const finished = async () => {
      const counts = await Promise.all(made.map((m) => h.queue.getJob(m.id)))
      return counts.every((j) => j?.state === 'completed' || j?.state === 'dead')
    }
    await until(finished, 'every job finished', 20_000)
    // A unique key is given back as its job ends, whatever its safety bound.
    expect(await h.redis.hlen(k.dedupof)).toBe(0)
    expect(await h.redis.hexists(k.dedup, 'u-0')).toBe(0)
    expect(await h.redis.hexists(k.dedup, 'u-dead')).toBe(0)
    expect(await h.redis.hexists(k.dedup, 'u-c')).toBe(0)

    // Rate logs and throttle keys go once their windows pass; the assertion below names
    // whatever is left after a generous wait.
    await until(
      async () => leftovers(k, await keysUnder(h.redis, h.prefix)).length === 0,
      'no flow-control key left',
    ).catch(() => undefined)
    expect(leftovers(k, await keysUnder(h.redis, h.prefix))).toEqual([])
  }, 30_000)

  it("an idle group's rate log is trimmed while other groups keep the queue busy", async () => {
    const h = harness(server.url)
    const k = queueKeys(h.prefix, h.queue.name)
    await h.queue.limits.set({ groups: { rate: { max: 100, perMs: 200 } } })
    await h.queue.limits.setGroup('busy', { rate: { max: 100, perMs: 600_000 } })
    let ran = 0
    h.worker({
      concurrency: 2,
      handlers: {
        task: () => {
          ran += 1
        },
      },
    })
    await h.queue.enqueue('task', { n: 1 }, { group: 'idle' })
    await until(() => ran === 1, 'the idle group ran')
    const idleLog = () => h.redis.zlexcount(k.grate, '[idle\0', '(idle\x01')
    expect(await idleLog()).toBe(1)
    // The busy group leases a job every little while, so the log key never expires.
    let n = 1
    await until(async () => {
      n += 1
      await h.queue.enqueue('task', { n }, { group: 'busy' })
      await until(() => ran === n, 'the busy group ran')
      return (await idleLog()) === 0
    }, "the idle group's log trimmed")
    expect(await h.redis.zlexcount(k.grate, '[busy\0', '(busy\x01')).toBeGreaterThan(0)
    expect(await h.redis.zscore(k.grateexp, 'idle')).toBeNull()
  })
})
