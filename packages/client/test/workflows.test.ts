import { Conveyor } from '@conveyor/queue-core'
import { jobRegistry, type ConveyorJobTypes } from '@conveyor/service-kit'
import { startSystem, type System, until } from '@conveyor/test-support'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ConveyorApiError, ConveyorClient, type FlowEvent } from '../src/index.js'
import { LossyProxy } from './support/lossy-proxy.js'

const KEY = 'ck_client_workflows_key'
const FAILING_PHONE = '+15550005001'
let system: System
let client: ConveyorClient
// The second path: what the API stored, read from Redis with queue-core.
let stored: Conveyor<ConveyorJobTypes>

beforeAll(async () => {
  system = await startSystem({ redisUrl: inject('redisUrl'), apiKeys: KEY })
  system.sms.behaviours.set(FAILING_PHONE, 'unavailable')
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
const phone = () => `+1555000${5100 + (phones += 1)}`
const ms = (iso: string | undefined) => Date.parse(iso ?? '')

describe('ConveyorClient flows against the real API', () => {
  it('creates a flow, follows its events until it completes, its children after their parent', async () => {
    const [root, left, right] = [phone(), phone(), phone()]
    const created = await client.flows.create({
      name: 'client flow',
      jobs: [
        { id: 'root', type: 'sms', payload: { phone: root, message: 'root' } },
        { id: 'left', type: 'sms', payload: { phone: left, message: 'l' }, dependsOn: ['root'] },
        { id: 'right', type: 'sms', payload: { phone: right, message: 'r' }, dependsOn: ['root'] },
      ],
    })
    expect(Object.keys(created.jobs).sort()).toEqual(['left', 'right', 'root'])
    const events: FlowEvent[] = []
    const flow = await client.flows.waitFor(created.flowId, {
      timeoutMs: 30_000,
      onEvent: (e) => events.push(e),
    })
    expect(flow).toMatchObject({
      id: created.flowId,
      name: 'client flow',
      state: 'completed',
      counts: { total: 3, finished: 3, dead: 0, cancelled: 0 },
    })
    expect(flow.jobs.find((j) => j.node === 'left')).toMatchObject({
      id: created.jobs.left,
      state: 'completed',
      dependsOn: ['root'],
    })
    const finished = events.filter((e) => e.event === 'job').map((e) => e.node)
    expect(finished.sort()).toEqual(['left', 'right', 'root'])
    expect(events.at(-1)).toMatchObject({ event: 'flow', state: 'completed' })

    const [rootJob, leftJob, rightJob] = await Promise.all(
      [created.jobs.root, created.jobs.left, created.jobs.right].map((id) =>
        client.getJob(id ?? ''),
      ),
    )
    for (const child of [leftJob, rightJob]) {
      expect(child?.flow).toEqual({ id: created.flowId, node: expect.any(String) as unknown })
      expect(ms(child?.startedAt)).toBeGreaterThanOrEqual(ms(rootJob?.finishedAt))
    }
    for (const p of [root, left, right]) expect(system.sms.sentTo(p)).toHaveLength(1)
    expect((await stored.flows.get(created.flowId))?.state).toBe('completed')
  })

  it('waits across a quiet spell for a flow that fails, each event once', async () => {
    const created = await client.flows.create({
      jobs: [
        {
          id: 'root',
          type: 'sms',
          payload: { phone: FAILING_PHONE, message: 'dies after a pause' },
          options: { maxAttempts: 2, backoff: { type: 'fixed', delayMs: 4_000 } },
        },
        {
          id: 'child',
          type: 'sms',
          payload: { phone: phone(), message: 'x' },
          dependsOn: ['root'],
        },
      ],
    })
    const events: FlowEvent[] = []
    const flow = await client.flows.waitFor(created.flowId, {
      timeoutMs: 30_000,
      onEvent: (e) => events.push(e),
    })
    expect(flow).toMatchObject({ state: 'failed', counts: { total: 2, dead: 1, cancelled: 1 } })
    expect(events.map((e) => `${e.event} ${e.event === 'job' ? e.node : ''} ${e.state}`)).toEqual([
      'flow  running',
      'job root dead',
      'job child cancelled',
      'flow  failed',
    ])
    expect((await stored.getJob(created.jobs.child ?? ''))?.state).toBe('cancelled')
  })

  it('cancels a flow: what has not finished is cancelled, in Redis too', async () => {
    const created = await client.flows.create({
      jobs: [
        {
          id: 'failing',
          type: 'sms',
          payload: { phone: FAILING_PHONE, message: 'retries in an hour' },
          options: { maxAttempts: 5, backoff: { type: 'fixed', delayMs: 3_600_000 } },
        },
        {
          id: 'after',
          type: 'sms',
          payload: { phone: phone(), message: 'x' },
          dependsOn: ['failing'],
        },
      ],
    })
    const failing = created.jobs.failing ?? ''
    await until(async () => (await client.getJob(failing)).state === 'retrying', 'a retry')
    const cancelled = await client.flows.cancel(created.flowId)
    expect(cancelled.jobs.map((j) => j.state)).toEqual(['cancelled', 'cancelled'])
    expect(await client.flows.waitFor(created.flowId, { timeoutMs: 30_000 })).toMatchObject({
      state: 'cancelled',
    })
    expect((await stored.getJob(created.jobs.after ?? ''))?.state).toBe('cancelled')
  })

  it('refuses a bad flow naming the job and field, creating nothing; 404 for an unknown one', async () => {
    const bad = await rejection(
      client.flows.create({
        jobs: [
          { id: 'a', type: 'sms', payload: { phone: phone(), message: 'a' } },
          { id: 'b', type: 'sms', payload: { phone: phone(), message: 'b' }, dependsOn: ['nope'] },
        ],
      }),
    )
    expect(bad).toMatchObject({ code: 'validation_failed', status: 400 })
    expect(bad.details.map((d) => d.path).join(' ')).toMatch(/^\/jobs\/1\//)
    const missing = await rejection(client.flows.get('nosuchflow'))
    expect(missing).toMatchObject({ code: 'flow_not_found', status: 404 })
    expect(await rejection(client.flows.cancel('nosuchflow'))).toMatchObject({
      code: 'flow_not_found',
    })
  })

  it('sends a flow again with the same Idempotency-Key when its answer is lost: one flow', async () => {
    const proxy = await LossyProxy.start(
      system.url,
      (method, url) => method === 'POST' && url === '/flows',
    )
    try {
      const lossy = new ConveyorClient({ url: proxy.url, apiKey: KEY, retryDelayMs: 10 })
      const to = phone()
      const created = await lossy.flows.create({
        jobs: [{ id: 'once', type: 'sms', payload: { phone: to, message: 'once' } }],
      })
      const posts = proxy.seen.filter((r) => r.method === 'POST')
      expect(posts).toHaveLength(2) // the first answer was lost; the retry got a replay
      expect(posts[0]?.idempotencyKey).toMatch(/\S/)
      expect(posts[1]?.idempotencyKey).toBe(posts[0]?.idempotencyKey)
      const flow = await client.flows.waitFor(created.flowId, { timeoutMs: 30_000 })
      expect(flow.state).toBe('completed')
      // Had the retry created a second flow, its SMS would go out too.
      const marker = await client.enqueue('sms', { phone: to, message: 'marker' })
      await client.waitFor(marker.id, { timeoutMs: 30_000 })
      expect(system.sms.sentTo(to)).toHaveLength(2)
    } finally {
      await proxy.close()
    }
  })
})

describe('ConveyorClient batches against the real API', () => {
  it('opens a batch, adds to it, closes it, and its callback runs once every job finished', async () => {
    const callbackPhone = phone()
    const created = await client.batches.create({
      name: 'client batch',
      onComplete: { type: 'sms', payload: { phone: callbackPhone, message: 'batch done' } },
      jobs: [{ type: 'sms', payload: { phone: phone(), message: 'b1' } }],
    })
    expect(created.jobs).toHaveLength(1)
    const added = await client.batches.add(created.batchId, {
      jobs: [
        { type: 'sms', payload: { phone: phone(), message: 'b2' } },
        {
          type: 'sms',
          payload: { phone: FAILING_PHONE, message: 'b3' },
          options: { maxAttempts: 1 },
        },
      ],
    })
    expect(added).toHaveLength(2)
    expect(await client.batches.get(created.batchId)).toMatchObject({
      id: created.batchId,
      name: 'client batch',
      state: 'open',
      counts: { total: 3 },
    })
    for (const id of [...created.jobs, ...added]) {
      expect((await client.getJob(id)).batch).toBe(created.batchId)
    }

    const closed = await client.batches.close(created.batchId)
    expect(['closed', 'done']).toContain(closed.state)
    const late = await rejection(
      client.batches.add(created.batchId, {
        jobs: [{ type: 'sms', payload: { phone: phone(), message: 'late' } }],
      }),
    )
    expect(late).toMatchObject({ code: 'invalid_state', status: 409 })

    await until(
      async () => (await client.batches.get(created.batchId)).state === 'done',
      'the batch to be done',
    )
    const done = await client.batches.get(created.batchId)
    expect(done).toMatchObject({
      counts: { total: 3, completed: 2, dead: 1, cancelled: 0, pending: 0 },
      failed: [added[1]],
    })
    const callback = done.callbacks.onComplete ?? ''
    expect(await client.waitFor(callback, { timeoutMs: 30_000 })).toMatchObject({
      state: 'completed',
    })
    expect(system.sms.sentTo(callbackPhone)).toHaveLength(1)
    expect((await stored.batches.get(created.batchId))?.state).toBe('done')
    expect(await rejection(client.batches.get('nosuchbatch'))).toMatchObject({
      code: 'batch_not_found',
      status: 404,
    })
  })

  it('adds to a batch again with the same Idempotency-Key when the answer is lost: once', async () => {
    const { batchId } = await client.batches.create({ name: 'lossy' })
    const proxy = await LossyProxy.start(
      system.url,
      (method, url) => method === 'POST' && url === `/batches/${batchId}/jobs`,
    )
    try {
      const lossy = new ConveyorClient({ url: proxy.url, apiKey: KEY, retryDelayMs: 10 })
      const jobs = [1, 2].map((n) => ({
        type: 'sms' as const,
        payload: { phone: phone(), message: `lossy ${n}` },
      }))
      const ids = await lossy.batches.add(batchId, { jobs })
      const posts = proxy.seen.filter((r) => r.method === 'POST')
      expect(posts).toHaveLength(2)
      expect(posts[1]?.idempotencyKey).toBe(posts[0]?.idempotencyKey)
      expect(ids).toHaveLength(2)
      expect(await stored.batches.get(batchId)).toMatchObject({ counts: { total: 2 } })
    } finally {
      await proxy.close()
    }
  })
})
