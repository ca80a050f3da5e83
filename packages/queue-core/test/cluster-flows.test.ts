/**
 * Flows and batches on a real three-master Redis Cluster. A flow's keys share the
 * flow's hash tag and each queue's keys the queue's, so a flow whose jobs live on
 * queues owned by different masters is driven without one cross-slot call.
 */
import type { Cluster } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Conveyor, queueKeys, Worker, type HandlerMap, type JobContext } from '../src/index.js'
import { startRedisCluster, uniquePrefix, type RedisClusterHandle } from '../src/testing/index.js'
import { flowRegistry, type FlowTypes } from './support/flow-registry.js'
import { until } from './support/harness.js'

let cluster: RedisClusterHandle
let client: Cluster
const closers: (() => Promise<void>)[] = []

beforeAll(async () => {
  cluster = await startRedisCluster(3)
  client = cluster.client()
}, 60_000)

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

afterAll(async () => {
  client?.disconnect()
  await cluster?.stop()
})

async function ownerOf(key: string): Promise<string> {
  const slot = Number(await client.cluster('KEYSLOT', key))
  const slots = (await client.cluster('SLOTS')) as unknown as [number, number, [string, number]][]
  const range = slots.find(([from, to]) => slot >= from && slot <= to)
  return `${range?.[2][0]}:${range?.[2][1]}`
}

function setup() {
  const prefix = uniquePrefix('clf')
  const conveyor = new Conveyor({ connection: client, registry: flowRegistry, prefix })
  closers.push(() => conveyor.close())
  const worker = (queue: 'alpha' | 'beta', handlers: HandlerMap<FlowTypes>) => {
    const w = new Worker({
      connection: client,
      registry: flowRegistry,
      prefix,
      queue,
      handlers,
      concurrency: 8,
    })
    w.on('error', () => undefined)
    closers.push(() => w.close({ timeoutMs: 2_000 }))
    return w
  }
  return { prefix, conveyor, worker }
}

const echo = async (job: JobContext<{ label: string }>) => ({
  label: job.payload.label,
  parents: await job.parents(),
})

describe('flows and batches on Redis Cluster', () => {
  it('runs a diamond across queues on different masters, cancels after a dead parent, and cancels a flow midway', async () => {
    const { prefix, conveyor, worker } = setup()
    const [alpha, beta] = await Promise.all([
      ownerOf(queueKeys(prefix, 'alpha').specs),
      ownerOf(queueKeys(prefix, 'beta').specs),
    ])
    expect(alpha).not.toBe(beta)

    const diamond = await conveyor.flows.create({
      name: 'diamond',
      jobs: [
        { id: 'A', type: 'step', payload: { label: 'a' } },
        { id: 'B', type: 'other', payload: { label: 'b' }, dependsOn: ['A'] },
        { id: 'C', type: 'step', payload: { label: 'c' }, dependsOn: ['A'] },
        { id: 'D', type: 'other', payload: { label: 'd' }, dependsOn: ['B', 'C'] },
      ],
    })
    const failing = await conveyor.flows.create({
      jobs: [
        { id: 'P', type: 'step', payload: { label: 'boom' }, options: { maxAttempts: 1 } },
        { id: 'Q', type: 'other', payload: { label: 'q' }, dependsOn: ['P'] },
        {
          id: 'R',
          type: 'other',
          payload: { label: 'r' },
          dependsOn: ['P'],
          continueOnParentFailure: true,
        },
      ],
    })
    // Its first job runs until it is stopped: the flow is cancelled midway, through the
    // cancel channel (a running job) and in Redis (one still waiting).
    const stuck = await conveyor.flows.create({
      jobs: [
        { id: 'X', type: 'step', payload: { label: 'hold' } },
        { id: 'Y', type: 'other', payload: { label: 'y' }, dependsOn: ['X'] },
      ],
    })
    worker('alpha', {
      step: async (job) => {
        if (job.payload.label === 'boom') throw new Error('boom')
        if (job.payload.label === 'hold') {
          await new Promise((_, reject) =>
            job.signal.addEventListener('abort', () => reject(new Error('stopped'))),
          )
        }
        return echo(job)
      },
    })
    worker('beta', { other: echo })

    const stateOf = async (id: string) => (await conveyor.flows.get(id))?.state
    await until(async () => (await stateOf(diamond.flowId)) === 'completed', 'the diamond')
    const d = await conveyor.getJob(diamond.jobs.D ?? '')
    expect(d?.result).toEqual({
      label: 'd',
      parents: {
        B: { label: 'b', parents: { A: { label: 'a', parents: {} } } },
        C: { label: 'c', parents: { A: { label: 'a', parents: {} } } },
      },
    })

    await until(async () => (await stateOf(failing.flowId)) === 'failed', 'the failing flow')
    const q = await conveyor.getJob(failing.jobs.Q ?? '')
    expect(q).toMatchObject({ state: 'cancelled', lastError: { code: 'parent_failed' } })
    expect((await conveyor.getJob(failing.jobs.R ?? ''))?.state).toBe('completed')

    const x = stuck.jobs.X ?? ''
    await until(async () => (await conveyor.getJob(x))?.state === 'active', 'X to run')
    await conveyor.flows.cancel(stuck.flowId)
    await until(async () => (await stateOf(stuck.flowId)) === 'cancelled', 'the cancelled flow')
    for (const node of ['X', 'Y'] as const) {
      expect((await conveyor.getJob(stuck.jobs[node] ?? ''))?.state).toBe('cancelled')
    }
  })

  it("fires a batch's callbacks once, with its jobs and callbacks on different masters", async () => {
    const { conveyor, worker } = setup()
    const reports: { label: string; report: unknown }[] = []
    worker('alpha', {
      step: (job) => {
        if (job.payload.label === 'bad') throw new Error('bad')
        return job.payload.label
      },
    })
    worker('beta', {
      other: async (job) => {
        reports.push({ label: job.payload.label, report: await job.batch() })
      },
    })
    const step = (label: string) => ({ type: 'step' as const, payload: { label } })
    const { batchId, jobs } = await conveyor.batches.create({
      onSuccess: { type: 'other', payload: { label: 'success' } },
      onComplete: { type: 'other', payload: { label: 'complete' } },
      jobs: [step('1'), step('2'), { ...step('bad'), options: { maxAttempts: 1 } }],
    })
    await conveyor.batches.close(batchId)
    await until(async () => (await conveyor.batches.get(batchId))?.state === 'done', 'the batch')
    await until(() => reports.length === 1, 'the onComplete callback')
    expect(reports).toEqual([
      {
        label: 'complete',
        report: {
          id: batchId,
          counts: { total: 3, completed: 2, dead: 1, cancelled: 0 },
          failed: [jobs[2]],
        },
      },
    ])
  })
})
