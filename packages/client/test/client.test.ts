import { createServer, type Server, type Socket } from 'node:net'
import { freePort } from '@conveyor/queue-core/testing'
import { startSystem, type System, until } from '@conveyor/test-support'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ConveyorApiError, ConveyorClient, isConveyorApiError } from '../src/index.js'
import { LossyProxy } from './support/lossy-proxy.js'

const KEY = 'ck_client_test_key'
const FAILING_PHONE = '+15550002001'
let system: System
let client: ConveyorClient

beforeAll(async () => {
  system = await startSystem({ redisUrl: inject('redisUrl'), apiKeys: KEY })
  system.sms.behaviours.set(FAILING_PHONE, 'unavailable')
  client = new ConveyorClient({ url: system.url, apiKey: KEY })
}, 60_000)

afterAll(async () => {
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

describe('ConveyorClient against the real API', () => {
  it('enqueues, reads and waits for a job over server-sent events', async () => {
    const accepted = await client.enqueue('sms', { phone: '+15550002002', message: 'xin chào' })
    expect(accepted).toMatchObject({ status: 'queued', statusUrl: `/jobs/${accepted.id}` })
    const states: string[] = []
    const done = await client.waitFor(accepted.id, {
      timeoutMs: 30_000,
      onState: (j) => states.push(j.state),
    })
    expect(done).toMatchObject({ id: accepted.id, state: 'completed', type: 'sms', attempts: 1 })
    expect(states.at(-1)).toBe('completed')
    expect(done.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    expect(await client.getJob(accepted.id)).toMatchObject({ state: 'completed' })
    expect(system.sms.sentTo('+15550002002')).toHaveLength(1)
  })

  it('reuses its Idempotency-Key when it retries: an answer lost on the way enqueues once', async () => {
    const proxy = await LossyProxy.start(
      system.url,
      (method, url) => method === 'POST' && url === '/jobs',
    )
    try {
      const lossy = new ConveyorClient({ url: proxy.url, apiKey: KEY, retryDelayMs: 50 })
      const message = `exactly once ${Date.now()}`
      const accepted = await lossy.enqueue('sms', { phone: '+15550002003', message })
      const posts = proxy.seen.filter((r) => r.method === 'POST')
      expect(posts).toHaveLength(2) // the first answer was lost; the retry got a replay
      expect(posts[0]?.idempotencyKey).toMatch(/\S/)
      expect(posts[1]?.idempotencyKey).toBe(posts[0]?.idempotencyKey)
      await client.waitFor(accepted.id, { timeoutMs: 30_000 })
      await until(() => system.sms.deliveries().get(message) === 1, 'the SMS')
      // Had the retry enqueued a second job, a second delivery would follow.
      const second = await client.enqueue('sms', { phone: '+15550002004', message: 'marker' })
      await client.waitFor(second.id, { timeoutMs: 30_000 })
      expect(system.sms.deliveries().get(message)).toBe(1)
    } finally {
      await proxy.close()
    }
  })

  it('fails with the server’s error code, status and the field at fault', async () => {
    const invalid = await rejection(
      // @ts-expect-error: an SMS payload has no `to`; the server says so too
      client.enqueue('sms', { to: 'x' }),
    )
    expect(invalid).toMatchObject({ code: 'validation_failed', status: 400 })
    expect(invalid.details.map((d) => d.path)).toContain('/payload/phone')
    expect(invalid.message).toMatch(/^POST \/jobs: 400 validation_failed: /)

    const missing = await rejection(client.getJob('default:no-such-job'))
    expect(missing).toMatchObject({ code: 'job_not_found', status: 404 })

    const anonymous = new ConveyorClient({ url: system.url })
    expect(await rejection(anonymous.stats())).toMatchObject({ code: 'unauthorized', status: 401 })
    expect(isConveyorApiError(await rejection(anonymous.stats()), 'unauthorized')).toBe(true)
  })

  it('operates queues and jobs: list, cancel, retry, dead letters, pause, remove, stats', async () => {
    const later = await client.enqueue(
      'sms',
      { phone: '+15550002005', message: 'later' },
      { delayMs: 3_600_000 },
    )
    expect(later.status).toBe('scheduled')
    const scheduled = await client.listJobs('default', { state: 'scheduled' })
    expect(scheduled.jobs.map((j) => j.id)).toContain(later.id)
    expect(await client.cancel(later.id)).toMatchObject({ state: 'cancelled' })
    expect(await rejection(client.cancel(later.id))).toMatchObject({
      code: 'invalid_state',
      status: 409,
    })
    // Back in line; a worker may already have taken it by the time the answer is read.
    expect(['queued', 'active', 'completed']).toContain((await client.retry(later.id)).state)
    expect(await client.waitFor(later.id, { timeoutMs: 30_000 })).toMatchObject({
      state: 'completed',
    })

    const failing = await client.enqueue(
      'sms',
      { phone: FAILING_PHONE, message: 'fails' },
      { maxAttempts: 1 },
    )
    expect(await client.waitFor(failing.id, { timeoutMs: 30_000 })).toMatchObject({
      state: 'dead',
      lastError: { failedAt: expect.any(String) as unknown },
    })
    const dead = await client.listDead('default')
    expect(dead.jobs.map((j) => j.id)).toContain(failing.id)
    expect(await client.requeueDead('default')).toMatchObject({ queue: 'default', requeued: 1 })

    expect(await client.pause('convert')).toEqual({ queue: 'convert', paused: true })
    const stats = await client.stats()
    expect(stats.find((q) => q.name === 'convert')).toMatchObject({ paused: true })
    expect(await client.resume('convert')).toEqual({ queue: 'convert', paused: false })

    const toRemove = await client.enqueue(
      'sms',
      { phone: '+15550002006', message: 'x' },
      { runAt: new Date(Date.now() + 3_600_000) },
    )
    await client.remove(toRemove.id)
    expect(await rejection(client.getJob(toRemove.id))).toMatchObject({ code: 'job_not_found' })
  })

  it('follows the queues’ live events', async () => {
    const abort = new AbortController()
    const events = client.queueEvents({ queue: 'default', signal: abort.signal })
    const first = events.next() // opens the stream
    await new Promise((resolve) => setTimeout(resolve, 200))
    const { id } = await client.enqueue('sms', { phone: '+15550002007', message: 'tail' })
    const seen: string[] = []
    let next = await first
    while (!next.done) {
      if (next.value.ids.includes(id)) seen.push(next.value.event)
      if (seen.includes('completed')) break
      next = await events.next()
    }
    abort.abort()
    expect(seen).toEqual(expect.arrayContaining(['queued', 'active', 'completed']))
  })

  it('answers GET /schedules, or says clearly that this server has no such route', async () => {
    const outcome = await client.schedules().then(
      (list) => ({ list }),
      (err: unknown) => ({ err }),
    )
    if ('list' in outcome) expect(Array.isArray(outcome.list)).toBe(true)
    else expect(outcome.err).toMatchObject({ code: 'not_found', status: 404 })
  })
})

describe('ConveyorClient without a server', () => {
  let silent: Server
  let silentPort: number
  const sockets = new Set<Socket>()
  beforeAll(async () => {
    // Accepts connections and never answers.
    silent = createServer((socket) => void sockets.add(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    silentPort = (silent.address() as { port: number }).port
  })
  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => silent.close(() => resolve()))
  })

  it('gives up after its timeout, per try', async () => {
    const slow = new ConveyorClient({
      url: `http://127.0.0.1:${silentPort}`,
      timeoutMs: 300,
      retries: 1,
    })
    const started = Date.now()
    const err = await rejection(slow.stats())
    expect(err).toMatchObject({ code: 'timeout', status: undefined })
    expect(err.message).toBe('GET /queues: no answer within 300 ms')
    expect(Date.now() - started).toBeGreaterThanOrEqual(600)
  })

  it('says it cannot reach the server when nothing listens', async () => {
    const port = await freePort()
    const nowhere = new ConveyorClient({
      url: `http://127.0.0.1:${port}`,
      retries: 1,
      retryDelayMs: 10,
    })
    const err = await rejection(nowhere.getJob('x'))
    expect(err).toMatchObject({ code: 'network_error' })
    expect(err.message).toBe(`GET /jobs/x: cannot reach http://127.0.0.1:${port} (ECONNREFUSED)`)
  })
})
