/**
 * Groups, limits and dedup on a three-master Redis Cluster: a queue's group keys share
 * its hash tag (its slot), so every script runs there without CROSSSLOT; the limits
 * hold across worker processes on the cluster too.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Cluster } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Queue, Worker } from '../src/index.js'
import { startRedisCluster, uniquePrefix, type RedisClusterHandle } from '../src/testing/index.js'
import { registry, until } from './support/harness.js'

let cluster: RedisClusterHandle
let client: Cluster
const packageDir = fileURLToPath(new URL('..', import.meta.url))
const children: ChildProcess[] = []
const closers: (() => Promise<void>)[] = []

beforeAll(async () => {
  cluster = await startRedisCluster(3)
  client = cluster.client()
}, 60_000)
afterAll(async () => {
  client?.disconnect()
  await cluster?.stop()
})
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
  for (const proc of children.splice(0)) {
    if (proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise((resolve) => proc.once('exit', resolve))
      proc.kill('SIGKILL')
      await gone
    }
  }
})

function queueOn(prefix: string, name = 'default') {
  const q = new Queue({ connection: client, registry, prefix, queue: name })
  closers.push(() => q.close())
  return q
}

function spawnWorkers(prefix: string, n: number) {
  const nodes = cluster.startup.map((s) => `${s.host}:${s.port}`).join(',')
  for (let i = 0; i < n; i += 1) {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/group-worker.ts'], {
      cwd: packageDir,
      env: { ...process.env, CLUSTER_NODES: nodes, PREFIX: prefix },
      stdio: ['ignore', 'inherit', 'inherit'],
    })
    children.push(proc)
  }
}

describe('groups and limits on Redis Cluster', () => {
  it('per-group concurrency 2 and a queue rate across 3 worker processes', async () => {
    const prefix = uniquePrefix('cg')
    const t = (name: string) => `${prefix}:test:${name}`
    const queue = queueOn(prefix)
    const rate = { max: 20, perMs: 500 }
    await queue.limits.set({ rate, groups: { concurrency: 2 } })
    spawnWorkers(prefix, 3)
    await until(async () => (await client.llen(t('ready'))) === 3, 'three workers', 30_000)
    await queue.enqueueBulk(
      Array.from({ length: 120 }, (_, n) => ({
        type: 'task' as const,
        payload: { n, label: 'hold' },
        options: { group: `g${n % 3}` },
      })),
    )
    // Hand out releases until all ran; running per group must never exceed 2.
    await until(
      async () => {
        for (const g of ['g0', 'g1', 'g2']) {
          if (Number(await client.get(t(`running:${g}`))) === 2)
            await client.rpush(t(`release:${g}`), '1')
        }
        const done = await client.llen(t('done'))
        if (done >= 114)
          for (const g of ['g0', 'g1', 'g2']) await client.rpush(t(`release:${g}`), '1', '1')
        return done === 120
      },
      'all done',
      60_000,
    )
    const seen = (await client.lrange(t('seen'), 0, -1)).map(Number)
    expect(Math.max(...seen)).toBe(2)
    const at = (await client.lrange(t('starts'), 0, -1))
      .map((l) => (JSON.parse(l) as { leasedAt: number }).leasedAt)
      .sort((a, b) => a - b)
    for (let i = 0; i + rate.max < at.length; i += 1) {
      expect(at[i + rate.max]! - at[i]!).toBeGreaterThanOrEqual(rate.perMs)
    }
  }, 120_000)

  it('fair turns, order per key under retries, dedup races and run-time limit changes, on queues in different slots', async () => {
    const prefix = uniquePrefix('cg')
    for (const name of ['alpha', 'beta', 'gamma']) {
      const queue = queueOn(prefix, name)
      await queue.limits.setGroup('k', { concurrency: 1 })
      const starts: string[] = []
      const done = { A: 0, B: 0 }
      const worker = new Worker({
        connection: client,
        registry,
        prefix,
        queue: name,
        concurrency: 8,
        handlers: {
          task: (job) => {
            if (job.group === 'k') {
              starts.push(`${job.payload.n}.${job.attempt}`)
              if (job.payload.n === 1 && job.attempt < 3) throw new Error('flaky')
            } else done[job.group as 'A' | 'B'] += 1
          },
        },
      })
      closers.push(() => worker.close({ timeoutMs: 2_000 }))
      const fast = { type: 'fixed', delayMs: 10 } as const
      for (let n = 0; n < 4; n += 1)
        await queue.enqueue('task', { n }, { group: 'k', backoff: fast })
      await until(() => starts.length === 6, `${name}: every attempt`)
      expect(starts).toEqual(['0.1', '1.1', '1.2', '1.3', '2.1', '3.1'])

      const many = (group: string, n: number) =>
        Array.from({ length: n }, (_, i) => ({
          type: 'task' as const,
          payload: { n: i },
          options: { group },
        }))
      await queue.enqueueBulk(many('A', 3_000))
      await until(() => done.A >= 100, `${name}: A under way`)
      await queue.enqueueBulk(many('B', 50))
      const aBefore = done.A
      await until(() => done.B === 50, `${name}: B done`, 30_000)
      expect(done.A - aBefore).toBeLessThan(1_000)

      const other = queueOn(prefix, name)
      const dedup = { key: 'race', mode: 'unique', ttlMs: 1 } as const
      await queue.pause()
      const raced = await Promise.all(
        Array.from({ length: 40 }, (_, n) =>
          (n % 2 ? queue : other).enqueue('task', { n }, { dedup }),
        ),
      )
      expect(raced.filter((r) => r.created)).toHaveLength(1)
      await queue.resume()

      await queue.limits.setGroup('k', { concurrency: 1, rate: { max: 1, perMs: 600_000 } })
      await queue.enqueueBulk(many('k', 3))
      await until(() => starts.length === 7, `${name}: one start under the group rate`)
      const changed = Date.now()
      await queue.limits.clearGroup('k')
      await until(() => starts.length === 9, `${name}: the rest within 1 s`, 1_000)
      expect(Date.now() - changed).toBeLessThan(1_000)
    }
  }, 180_000)
})
