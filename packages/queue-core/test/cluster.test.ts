/**
 * The protocol on a real Redis Cluster: three masters started by the test. Every key
 * of a queue carries the queue's hash tag and every script gets its keys in KEYS, so
 * no call may fail with CROSSSLOT, and queues spread over the nodes.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Cluster } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Queue, QueueEvents, Worker } from '../src/index.js'
import { startRedisCluster, uniquePrefix, type RedisClusterHandle } from '../src/testing/index.js'
import { registry, until } from './support/harness.js'

let cluster: RedisClusterHandle
let client: Cluster
const packageDir = fileURLToPath(new URL('..', import.meta.url))

beforeAll(async () => {
  cluster = await startRedisCluster(3)
  client = cluster.client()
}, 60_000)

afterAll(async () => {
  client?.disconnect()
  await cluster?.stop()
})

async function slotOwner(key: string): Promise<string> {
  const slot = Number(await client.cluster('KEYSLOT', key))
  const slots = (await client.cluster('SLOTS')) as unknown as [number, number, [string, number]][]
  const range = slots.find(([from, to]) => slot >= from && slot <= to)
  return `${range?.[2][0]}:${range?.[2][1]}`
}

describe('Redis Cluster', () => {
  it('runs every queue operation without a CROSSSLOT error, queues spread over the nodes', async () => {
    const prefix = uniquePrefix('cl')
    const names = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta']
    const queues = names.map(
      (name) => new Queue({ connection: client, registry, prefix, queue: name }),
    )
    const owners = new Set(await Promise.all(queues.map((q) => slotOwner(q.keys.specs))))
    expect(owners.size).toBeGreaterThan(1)
    const done = new Map<string, number>()
    const workers = names.map(
      (name) =>
        new Worker({
          connection: client,
          registry,
          prefix,
          queue: name,
          concurrency: 4,
          handlers: {
            task: (job) => {
              if (job.payload.n < 0) throw new Error('negative')
              done.set(name, (done.get(name) ?? 0) + 1)
              return job.payload.n
            },
          },
        }),
    )
    const events = new QueueEvents({ connection: client, prefix, queue: 'alpha' })
    try {
      const from = await events.latest()
      for (const q of queues) {
        await q.enqueueBulk(
          Array.from({ length: 50 }, (_, n) => ({ type: 'task' as const, payload: { n } })),
        )
        await q.enqueue('task', { n: 1 }, { delayMs: 50, idempotencyKey: 'once' })
        expect((await q.enqueue('task', { n: 1 }, { idempotencyKey: 'once' })).created).toBe(false)
        await q.enqueue('task', { n: -1 }, { maxAttempts: 1 })
      }
      for (const q of queues) {
        await until(async () => {
          const c = await q.counts()
          return c.completed === 51 && c.dead === 1
        }, `queue ${q.name} to finish`)
      }
      const alpha = queues[0] as Queue<typeof registry.types>
      const dead = await alpha.list('dead')
      expect(dead.total).toBe(1)
      await alpha.retry(dead.jobs[0]?.id ?? '')
      await alpha.pause()
      const held = await alpha.enqueue('task', { n: 2 })
      await alpha.cancel(held.id)
      await alpha.remove(held.id)
      await alpha.resume()
      expect((await alpha.metrics()).totals.completed).toBe(51)
      expect((await alpha.list('completed', { limit: 5 })).jobs).toHaveLength(5)
      expect((await events.read(from)).length).toBeGreaterThan(0)
      for (const name of names) expect(done.get(name)).toBe(51)
    } finally {
      await events.close()
      await Promise.all(workers.map((w) => w.close({ timeoutMs: 2_000 })))
    }
  })

  it('recovers the job of a SIGKILLed child worker on the cluster', async () => {
    const prefix = uniquePrefix('clk')
    const queue = new Queue({ connection: client, registry, prefix })
    const { id } = await queue.enqueue('task', { n: 7 })
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/fixtures/child-worker.ts'],
      {
        cwd: packageDir,
        env: {
          ...process.env,
          CLUSTER_NODES: cluster.startup.map((n) => `${n.host}:${n.port}`).join(','),
          PREFIX: prefix,
          LEASE_MS: '1000',
          MODE: 'hang',
        },
        stdio: 'ignore',
      },
    )
    try {
      await until(
        async () => (await client.llen(`${prefix}:started`)) === 1,
        'the child to start the job',
      )
      const gone = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await gone
      const worker = new Worker({
        connection: client,
        registry,
        prefix,
        leaseMs: 1_000,
        handlers: { task: () => 'finished by the survivor' },
      })
      try {
        await until(
          async () => (await queue.getJob(id))?.state === 'completed',
          'the job to be recovered',
        )
        expect(await queue.getJob(id)).toMatchObject({
          attempts: 2,
          stalls: 1,
          result: 'finished by the survivor',
        })
      } finally {
        await worker.close({ timeoutMs: 2_000 })
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
  })
})
