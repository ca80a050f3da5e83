import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { ConveyorError, queueKeys, type JobContext } from '../src/index.js'
import { DEFAULTS } from '../src/defaults.js'
import { FlowStore } from '../src/workflows/flow-store.js'
import { FlowDriver } from '../src/workflows/flow-driver.js'
import { FlowSweeper } from '../src/workflows/flow-sweeper.js'
import { QueueScripts } from '../src/scripts.js'
import { flowHarness, useFlowRedis, type FlowHarness } from './support/flow-harness.js'
import { until } from './support/harness.js'

useFlowRedis()

async function flowState(h: FlowHarness, id: string): Promise<string | undefined> {
  return (await h.conveyor.flows.get(id))?.state
}

async function rejection(p: Promise<unknown>): Promise<ConveyorError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ConveyorError)
  return err as ConveyorError
}

const echo = async (job: JobContext<{ label: string }>) => ({
  label: job.payload.label,
  parents: await job.parents(),
})

describe('flows', () => {
  it('runs a diamond A -> (B, C) -> D across two queues, each job after its parents, results flowing down', async () => {
    const h = flowHarness()
    const order: string[] = []
    const handler = async (job: JobContext<{ label: string }>) => {
      order.push(job.payload.label)
      return echo(job)
    }
    const created = await h.conveyor.flows.create({
      name: 'diamond',
      jobs: [
        { id: 'A', type: 'step', payload: { label: 'a' } },
        { id: 'B', type: 'other', payload: { label: 'b' }, dependsOn: ['A'] },
        { id: 'C', type: 'step', payload: { label: 'c' }, dependsOn: ['A'] },
        { id: 'D', type: 'other', payload: { label: 'd' }, dependsOn: ['B', 'C'] },
      ],
    })
    expect(created.jobs.A).toMatch(/^alpha:/)
    expect(created.jobs.D).toMatch(/^beta:/)
    expect((await h.conveyor.getJob(created.jobs.D ?? ''))?.state).toBe('waiting')
    h.worker('alpha', { step: handler })
    h.worker('beta', { other: handler })
    await until(async () => (await flowState(h, created.flowId)) === 'completed', 'the flow')
    expect(order[0]).toBe('a')
    expect(order[3]).toBe('d')
    const d = await h.conveyor.getJob(created.jobs.D ?? '')
    expect(d?.flow).toEqual({ id: created.flowId, node: 'D' })
    expect(d?.result).toEqual({
      label: 'd',
      parents: {
        B: { label: 'b', parents: { A: { label: 'a', parents: {} } } },
        C: { label: 'c', parents: { A: { label: 'a', parents: {} } } },
      },
    })
    const view = await h.conveyor.flows.get(created.flowId)
    expect(view?.name).toBe('diamond')
    expect(view?.counts).toEqual({ total: 4, finished: 4, dead: 0, cancelled: 0 })
    expect(view?.jobs.find((j) => j.node === 'D')?.dependsOn).toEqual(['B', 'C'])
  })

  it('fans out to 1,000 jobs and back in to one that sees every result', async () => {
    const h = flowHarness()
    const middle = Array.from({ length: 1000 }, (_, i) => ({
      id: `m${i}`,
      type: 'other' as const,
      payload: { label: String(i) },
      dependsOn: ['root'],
    }))
    const created = await h.conveyor.flows.create({
      jobs: [
        { id: 'root', type: 'step', payload: { label: 'root' } },
        ...middle,
        {
          id: 'sink',
          type: 'step',
          payload: { label: 'sink' },
          dependsOn: middle.map((m) => m.id),
        },
      ],
    })
    let sinkSaw = 0
    h.worker('alpha', {
      step: async (job) => {
        sinkSaw = Object.keys(await job.parents()).length
        return job.payload.label
      },
    })
    h.worker('beta', { other: (job) => Number(job.payload.label) }, 32)
    await until(
      async () => (await flowState(h, created.flowId)) === 'completed',
      'the fan-in',
      30_000,
    )
    expect(sinkSaw).toBe(1000)
    expect((await h.conveyor.flows.get(created.flowId))?.counts.finished).toBe(1002)
  })

  it('cancels the dependents of a dead job, naming it, and runs those that continue on failure', async () => {
    const h = flowHarness()
    const ran: string[] = []
    const created = await h.conveyor.flows.create({
      jobs: [
        { id: 'A', type: 'step', payload: { label: 'a' }, options: { maxAttempts: 1 } },
        { id: 'B', type: 'other', payload: { label: 'b' }, dependsOn: ['A'] },
        { id: 'B2', type: 'step', payload: { label: 'b2' }, dependsOn: ['B'] },
        {
          id: 'C',
          type: 'other',
          payload: { label: 'c' },
          dependsOn: ['A'],
          continueOnParentFailure: true,
        },
      ],
    })
    h.worker('alpha', {
      step: (job) => {
        ran.push(job.payload.label)
        if (job.payload.label === 'a') throw new Error('a broke')
      },
    })
    h.worker('beta', { other: echo })
    await until(async () => (await flowState(h, created.flowId)) === 'failed', 'the flow to fail')
    const b = await h.conveyor.getJob(created.jobs.B ?? '')
    expect(b?.state).toBe('cancelled')
    expect(b?.lastError?.message).toContain('"A"')
    expect(b?.lastError?.code).toBe('parent_failed')
    expect((await h.conveyor.getJob(created.jobs.B2 ?? ''))?.lastError?.message).toContain('"B"')
    const c = await h.conveyor.getJob(created.jobs.C ?? '')
    expect(c?.state).toBe('completed')
    expect(c?.result).toEqual({ label: 'c', parents: { A: undefined } })
    expect(ran).toEqual(['a'])
    expect((await h.conveyor.flows.get(created.flowId))?.counts).toEqual({
      total: 4,
      finished: 4,
      dead: 1,
      cancelled: 2,
    })
  })

  it('resumes the cancelled dependents when the dead job is retried', async () => {
    const h = flowHarness()
    let broken = true
    const created = await h.conveyor.flows.create({
      jobs: [
        { id: 'A', type: 'step', payload: { label: 'a' }, options: { maxAttempts: 1 } },
        { id: 'B', type: 'other', payload: { label: 'b' }, dependsOn: ['A'] },
        { id: 'C', type: 'step', payload: { label: 'c' }, dependsOn: ['B'] },
      ],
    })
    h.worker('alpha', {
      step: (job) => {
        if (job.payload.label === 'a' && broken) throw new Error('a broke')
        return job.payload.label
      },
    })
    h.worker('beta', { other: echo })
    await until(async () => (await flowState(h, created.flowId)) === 'failed', 'the flow to fail')
    expect((await rejection(h.conveyor.retry(created.jobs.C ?? ''))).code).toBe('invalid_state')
    broken = false
    await h.conveyor.retry(created.jobs.A ?? '')
    await until(async () => (await flowState(h, created.flowId)) === 'completed', 'the flow')
    expect((await h.conveyor.getJob(created.jobs.B ?? ''))?.result).toEqual({
      label: 'b',
      parents: { A: 'a' },
    })
    expect((await h.conveyor.flows.get(created.flowId))?.counts).toEqual({
      total: 3,
      finished: 3,
      dead: 0,
      cancelled: 0,
    })
  })

  it('cancels every unfinished job of a flow midway', async () => {
    const h = flowHarness()
    const created = await h.conveyor.flows.create({
      jobs: [
        { id: 'A', type: 'step', payload: { label: 'a' } },
        { id: 'B', type: 'other', payload: { label: 'b' }, dependsOn: ['A'] },
        { id: 'C', type: 'step', payload: { label: 'c' }, dependsOn: ['B'] },
        { id: 'D', type: 'other', payload: { label: 'd' }, dependsOn: ['A'] },
      ],
    })
    // Only alpha has a worker: A completes, B and D wait in beta's queue.
    const alpha = h.worker('alpha', { step: (job) => job.payload.label })
    await until(
      async () => (await h.conveyor.getJob(created.jobs.B ?? ''))?.state === 'queued',
      'B released',
    )
    await h.conveyor.flows.cancel(created.flowId)
    const view = await h.conveyor.flows.get(created.flowId)
    expect(view?.state).toBe('cancelled')
    expect(Object.fromEntries(view?.jobs.map((j) => [j.node, j.state]) ?? [])).toEqual({
      A: 'completed',
      B: 'cancelled',
      C: 'cancelled',
      D: 'cancelled',
    })
    await alpha.close()
    // Nothing of it runs afterwards.
    let ran = 0
    h.worker('beta', { other: () => (ran += 1) })
    h.worker('alpha', { step: () => (ran += 1) })
    expect(await h.conveyor.queue('beta').counts()).toMatchObject({ queued: 0, cancelled: 2 })
    expect(ran).toBe(0)
    expect((await rejection(h.conveyor.flows.cancel('nope'))).code).toBe('flow_not_found')
  })

  it('refuses a cycle, an unknown dependsOn, an unknown type or a bad payload, naming the job and field, creating nothing', async () => {
    const h = flowHarness()
    const redis = new Redis(h.url)
    const base = [
      { id: 'A', type: 'step', payload: { label: 'a' } },
      { id: 'B', type: 'other', payload: { label: 'b' }, dependsOn: ['A'] },
    ]
    const cases: [unknown[], string, string][] = [
      [
        [
          ...base,
          { id: 'C', type: 'step', payload: { label: 'c' }, dependsOn: ['D'] },
          { id: 'D', type: 'step', payload: { label: 'd' }, dependsOn: ['C'] },
        ],
        '/jobs/',
        'cycle',
      ],
      [
        [...base, { id: 'C', type: 'step', payload: { label: 'c' }, dependsOn: ['Z'] }],
        '/jobs/2/dependsOn/0',
        '"Z"',
      ],
      [[...base, { id: 'C', type: 'nope', payload: {} }], '/jobs/2/type', 'nope'],
      [[...base, { id: 'C', type: 'step', payload: { label: 3 } }], '/jobs/2/payload/label', ''],
      [[...base, { id: 'A', type: 'step', payload: { label: 'a' } }], '/jobs/2/id', '"A"'],
      [
        [...base, { id: 'C', type: 'step', payload: { label: 'c' }, options: { delayMs: 5 } }],
        '/jobs/2/options/delayMs',
        '',
      ],
    ]
    for (const [jobs, path, text] of cases) {
      const err = await rejection(h.conveyor.flows.create({ jobs }))
      expect(err.details[0]?.path.startsWith(path), `${err.details[0]?.path} for ${path}`).toBe(
        true,
      )
      expect(err.message).toContain(text)
    }
    expect(await redis.keys(`${h.prefix}:*`)).toEqual([])
    await redis.quit()
  })

  it('lists a flow job with a big payload by its type, as any big job', async () => {
    const h = flowHarness()
    const label = 'x'.repeat(20_000)
    const created = await h.conveyor.flows.create({
      jobs: [
        { id: 'A', type: 'step', payload: { label: 'a' } },
        { id: 'B', type: 'step', payload: { label }, dependsOn: ['A'] },
      ],
    })
    const [summary] = await h.conveyor.queue('alpha').summaries([created.jobs.B ?? ''])
    expect(summary).toMatchObject({ type: 'step', state: 'waiting' })
    expect(summary?.maxAttempts).toBe(DEFAULTS.maxAttempts)
    expect(summary?.createdAt).toBeGreaterThan(0)
    expect(summary?.payloadBytes).toBeGreaterThan(20_000)
  })

  it("records a batch of a fan-in's parents in one call; the same call again changes nothing", async () => {
    const h = flowHarness()
    const redis = new Redis(h.url)
    const store = new FlowStore(redis, h.prefix, 100)
    const driver = new FlowDriver({ store, keepMs: 60_000 })
    const fanIn = (cont: boolean) =>
      h.conveyor.flows.create({
        jobs: [
          ...['P1', 'P2', 'P3'].map((id) => ({
            id,
            type: 'step' as const,
            payload: { label: id },
          })),
          {
            id: 'S',
            type: 'step',
            payload: { label: 's' },
            dependsOn: ['P1', 'P2', 'P3'],
            ...(cont ? { continueOnParentFailure: true } : {}),
          },
        ],
      })
    const done = (node: string, outcome: 'completed' | 'dead' = 'completed') => ({
      node,
      outcome,
      result: outcome === 'completed' ? `"${node}"` : '',
    })
    const state = async (id = '') => (await h.conveyor.getJob(id))?.state
    const finished = async (flowId: string) =>
      Number(await redis.hget(store.keys(flowId).meta, 'finished'))

    const ok = await fanIn(false)
    await driver.finishedMany(ok.flowId, [done('P1'), done('P2')])
    expect(await state(ok.jobs.S)).toBe('waiting')
    // A replay of the first two with the last: each counts once, S is released once.
    await driver.finishedMany(ok.flowId, [done('P1'), done('P2'), done('P3')])
    expect(await finished(ok.flowId)).toBe(3)
    expect(await state(ok.jobs.S)).toBe('queued')
    await driver.finishedMany(ok.flowId, [done('P3'), done('P1')])
    expect(await finished(ok.flowId)).toBe(3)
    expect((await h.conveyor.queue('alpha').counts()).queued).toBe(4)

    // A dead parent in the batch cancels S, naming it, whatever else the batch holds.
    const failing = await fanIn(false)
    await driver.finishedMany(failing.flowId, [done('P1'), done('P2', 'dead'), done('P3')])
    const s = await h.conveyor.getJob(failing.jobs.S ?? '')
    expect(s?.state).toBe('cancelled')
    expect(s?.lastError?.message).toContain('"P2"')
    // ...unless S continues on failure: then it runs once all three are done.
    const going = await fanIn(true)
    await driver.finishedMany(going.flowId, [done('P1', 'dead'), done('P2')])
    expect(await state(going.jobs.S)).toBe('waiting')
    await driver.finishedMany(going.flowId, [done('P3')])
    expect(await state(going.jobs.S)).toBe('queued')
    await redis.quit()
  })

  it('repairs what a crash left half done: an ack its flow never heard of, a creation never committed', async () => {
    const h = flowHarness()
    const redis = new Redis(h.url)
    const created = await h.conveyor.flows.create({
      jobs: [
        { id: 'A', type: 'step', payload: { label: 'a' } },
        { id: 'B', type: 'other', payload: { label: 'b' }, dependsOn: ['A'] },
      ],
    })
    // A worker that acks A and dies before telling the flow: the queue's scripts alone.
    const scripts = new QueueScripts(redis, queueKeys(h.prefix, 'alpha'), 100)
    const { jobs } = await scripts.reserve({
      count: 1,
      leaseMs: 30_000,
      workerId: 'w',
      promoteLimit: 10,
      maxBytes: 0,
    })
    expect(jobs).toHaveLength(1)
    await scripts.ack(
      [{ id: jobs[0]?.id ?? '', token: jobs[0]?.token ?? '', result: '"from a"' }],
      { completedMs: 60_000, completedCount: 0 },
    )
    expect((await h.conveyor.getJob(created.jobs.B ?? ''))?.state).toBe('waiting')

    // A producer that dies before its commit: jobs stored waiting, the flow `creating`.
    const store = new FlowStore(redis, h.prefix, 100)
    const driver = new FlowDriver({ store, keepMs: 60_000 })
    const { prepareFlow } = await import('../src/workflows/flow-prepare.js')
    const { flowRegistry } = await import('./support/flow-harness.js')
    const orphan = prepareFlow(flowRegistry, {
      jobs: [{ id: 'X', type: 'step', payload: { label: 'x' } }],
    })
    await store.schedule(orphan.flowId, Date.now())
    await redis.hset(store.keys(orphan.flowId).meta, {
      state: 'creating',
      createdAt: Date.now() - 120_000,
      total: 1,
    })
    await redis.hset(
      store.keys(orphan.flowId).nodes,
      'X',
      JSON.stringify({ job: orphan.nodes[0]?.job, dependsOn: [], cont: false }),
    )
    for (const [queue, list] of orphan.byQueue) await store.add(queue, list)
    expect(await h.conveyor.flows.get(orphan.flowId)).toBeNull()

    const sweeper = new FlowSweeper(driver, (err) => {
      throw err
    })
    expect(await sweeper.run(Date.now() + 60_000)).toBe(2)
    expect((await h.conveyor.getJob(created.jobs.B ?? ''))?.state).toBe('queued')
    expect(await h.conveyor.getJob(orphan.nodes[0]?.job ?? '')).toBeNull()
    expect(await redis.exists(store.keys(orphan.flowId).meta)).toBe(0)
    h.worker('beta', { other: echo })
    await until(async () => (await flowState(h, created.flowId)) === 'completed', 'the flow')
    expect((await h.conveyor.getJob(created.jobs.B ?? ''))?.result).toEqual({
      label: 'b',
      parents: { A: 'from a' },
    })
    await redis.quit()
  })
})
