import { describe, expect, it } from 'vitest'
import { harness, until } from './support/harness.js'
import { writeQueuedJob } from '../src/testing/index.js'

describe('poison messages', () => {
  it('dead-letters a job whose spec is not JSON, with the reason, and keeps working', async () => {
    const h = harness()
    const k = h.queue.keys
    // Written straight into Redis, the way a buggy producer or a hand edit would.
    await writeQueuedJob(h.redis, k, 'garbage-1', '{"type": "task", "payload": ')
    const done: number[] = []
    h.worker({ handlers: { task: (job) => void done.push(job.payload.n) } })
    const { id } = await h.queue.enqueue('task', { n: 1 })
    await until(() => done.length === 1, 'the good job')
    await until(
      async () => (await h.queue.getJob('garbage-1'))?.state === 'dead',
      'the poison job to die',
    )
    const poison = await h.queue.getJob('garbage-1')
    expect(poison?.lastError?.code).toBe('poison_message')
    expect(poison?.lastError?.message).toContain('not JSON')
    expect(poison?.attempts).toBe(1)
    expect((await h.queue.getJob(id))?.state).toBe('completed')
  })

  it('dead-letters a job whose payload fails its schema, naming the field', async () => {
    const h = harness()
    const k = h.queue.keys
    const spec = {
      type: 'sms',
      payload: { phone: 'not a phone', message: 'hi' },
      maxAttempts: 4,
      backoff: { type: 'fixed', delayMs: 0 },
      priority: 5,
      timeout: 0,
      createdAt: Date.now(),
    }
    await writeQueuedJob(h.redis, k, 'bad-sms', JSON.stringify(spec))
    let calls = 0
    h.worker({ handlers: { sms: () => void (calls += 1) } })
    await until(
      async () => (await h.queue.getJob('bad-sms'))?.state === 'dead',
      'the poison job to die',
    )
    const job = await h.queue.getJob('bad-sms')
    expect(calls).toBe(0)
    expect(job?.attempts).toBe(1)
    expect(job?.lastError?.code).toBe('poison_message')
    expect(job?.lastError?.message).toContain('/payload/phone')
  })

  it('dead-letters an id in the ready list that has no spec at all', async () => {
    const h = harness()
    await h.redis.rpush(h.queue.keys.ready[0] ?? '', 'ghost')
    h.worker({ handlers: { task: () => 'x' } })
    await until(
      async () => (await h.queue.getJob('ghost'))?.state === 'dead',
      'the ghost to be dead-lettered',
    )
    expect((await h.queue.getJob('ghost'))?.lastError?.message).toContain('no spec')
  })

  it('stores a thrown plain object as JSON, not [object Object]', async () => {
    const h = harness()
    const { id } = await h.queue.enqueue('task', { n: 1 }, { maxAttempts: 1 })
    h.worker({
      handlers: {
        task: () => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error
          throw { code: 'E_RATE', detail: { retryIn: 5 } }
        },
      },
    })
    await until(async () => (await h.queue.getJob(id))?.state === 'dead', 'the job to die')
    const error = (await h.queue.getJob(id))?.lastError
    expect(error?.message).toBe('{"code":"E_RATE","detail":{"retryIn":5}}')
    expect(error?.code).toBe('E_RATE')
  })

  it('shows a handler error that is not an Error instance as a message, not a crash', async () => {
    const h = harness()
    const { id } = await h.queue.enqueue('task', { n: 1 }, { maxAttempts: 1 })
    h.worker({
      handlers: {
        task: () => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error
          throw 'a string'
        },
      },
    })
    await until(async () => (await h.queue.getJob(id))?.state === 'dead', 'the job to die')
    expect((await h.queue.getJob(id))?.lastError?.message).toBe('a string')
  })
})
