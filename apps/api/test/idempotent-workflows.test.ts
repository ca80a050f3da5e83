import { queueKeys } from '@conveyor/queue-core'
import { afterEach, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './support/test-app.js'

let t: TestApp
afterEach(() => t.close())

const sms = (message: string) => ({ type: 'sms', payload: { phone: '+84912345678', message } })
const convert = {
  type: 'convert',
  payload: { uploadId: 'u1', sourceFormat: 'csv', targetFormat: 'json', filename: 'a.csv' },
}
const flow = (name: string) => ({
  name,
  jobs: [
    { id: 'a', ...sms('a') },
    { id: 'b', ...sms('b') },
  ],
})

function send(url: string, key: string, payload: object, apiKey?: string) {
  return t.app.inject({
    method: 'POST',
    url,
    headers: {
      'idempotency-key': key,
      ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }),
    },
    payload,
  })
}

async function openBatch(): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/batches', payload: {} })
  return res.json<{ batchId: string }>().batchId
}

const queued = async (queue = 'default') => (await t.queue(queue).counts()).queued

describe('Idempotency-Key on POST /flows', () => {
  it('answers a repeat with the first flow, creating one, whatever the key order', async () => {
    t = await startTestApp()
    const first = await send('/flows', 'flow-1', flow('f'))
    const { jobs, name } = flow('f')
    const second = await send('/flows', 'flow-1', { jobs, name })
    expect(first.statusCode).toBe(202)
    expect(second.statusCode).toBe(202)
    expect(second.json()).toEqual(first.json())
    expect(first.headers['idempotent-replayed']).toBeUndefined()
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect(await queued()).toBe(2)
  })

  it('refuses the key with another body (422), and frees it after a refused request', async () => {
    t = await startTestApp()
    const bad = { jobs: [{ id: 'a', ...sms('a'), dependsOn: ['nope'] }] }
    expect((await send('/flows', 'flow-2', bad)).statusCode).toBe(400)
    const good = await send('/flows', 'flow-2', flow('f'))
    expect(good.statusCode).toBe(202)
    expect(good.headers['idempotent-replayed']).toBeUndefined()
    const other = await send('/flows', 'flow-2', flow('g'))
    expect(other.statusCode).toBe(422)
    expect(other.json()).toMatchObject({
      error: 'idempotency_key_reused',
      details: [{ path: '/headers/idempotency-key' }],
    })
    expect(await queued()).toBe(2)
  })

  it('scopes a key to the API key that sent it', async () => {
    t = await startTestApp({ API_KEYS: 'key-a,key-b' })
    const a = await send('/flows', 'shared', flow('f'), 'key-a')
    const b = await send('/flows', 'shared', flow('f'), 'key-b')
    expect(b.headers['idempotent-replayed']).toBeUndefined()
    expect(b.json<{ flowId: string }>().flowId).not.toBe(a.json<{ flowId: string }>().flowId)
    expect(await queued()).toBe(4)
  })
})

describe('Idempotency-Key on POST /batches', () => {
  it('answers a repeat with the first batch and its jobs; another body is a 422', async () => {
    t = await startTestApp()
    const body = { name: 'promo', jobs: [sms('1'), sms('2')] }
    const first = await send('/batches', 'batch-1', body)
    const second = await send('/batches', 'batch-1', body)
    expect(first.statusCode).toBe(201)
    expect(second.statusCode).toBe(201)
    expect(second.json()).toEqual(first.json())
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect((await send('/batches', 'batch-1', { name: 'other' })).statusCode).toBe(422)
    expect(await queued()).toBe(2)
  })
})

describe('Idempotency-Key on POST /batches/:id/jobs', () => {
  it('answers a repeat with the first ids; the key on another batch is another request', async () => {
    t = await startTestApp()
    const [one, two] = [await openBatch(), await openBatch()]
    const body = { jobs: [sms('1'), convert] }
    const first = await send(`/batches/${one}/jobs`, 'add-1', body)
    const second = await send(`/batches/${one}/jobs`, 'add-1', body)
    expect(first.statusCode).toBe(202)
    expect(second.json()).toEqual(first.json())
    expect(second.headers['idempotent-replayed']).toBe('true')
    expect((await send(`/batches/${two}/jobs`, 'add-1', body)).statusCode).toBe(422)
    const view = await t.app.inject({ method: 'GET', url: `/batches/${one}` })
    expect(view.json()).toMatchObject({ counts: { total: 2 } })
    expect([await queued(), await queued('convert')]).toEqual([1, 1])
  })

  it('completes, with the same jobs, a request that failed after enqueuing on some queues', async () => {
    t = await startTestApp()
    const batchId = await openBatch()
    const body = { jobs: [sms('1'), convert, sms('2')] }
    // The convert queue's specs key of the wrong type: its enqueue fails, the default's not.
    const specs = queueKeys(t.prefix, 'convert').specs
    await t.app.conveyor.redis.set(specs, 'in the way')
    const failed = await send(`/batches/${batchId}/jobs`, 'add-2', body)
    expect(failed.statusCode).toBe(500)
    expect(await queued()).toBe(2)
    expect(await queued('convert')).toBe(0)
    await t.app.conveyor.redis.del(specs)

    const other = await send(`/batches/${batchId}/jobs`, 'add-2', { jobs: [sms('3')] })
    expect(other.statusCode).toBe(422)
    const retried = await send(`/batches/${batchId}/jobs`, 'add-2', body)
    expect(retried.statusCode).toBe(202)
    expect(retried.headers['idempotent-replayed']).toBeUndefined()
    const ids = retried.json<{ jobs: string[] }>().jobs
    expect(ids).toHaveLength(3)
    expect([await queued(), await queued('convert')]).toEqual([2, 1])
    const view = await t.app.inject({ method: 'GET', url: `/batches/${batchId}` })
    expect(view.json()).toMatchObject({ counts: { total: 3, pending: 3 } })
    for (const id of ids) {
      const job = await t.app.inject({ method: 'GET', url: `/jobs/${id}` })
      expect(job.json()).toMatchObject({ batch: batchId, state: 'queued' })
    }
    const again = await send(`/batches/${batchId}/jobs`, 'add-2', body)
    expect(again.json()).toEqual(retried.json())
    expect(again.headers['idempotent-replayed']).toBe('true')
  })

  it('frees the key when the batch refused the jobs', async () => {
    t = await startTestApp()
    const batchId = await openBatch()
    await t.app.inject({ method: 'POST', url: `/batches/${batchId}/close` })
    expect((await send(`/batches/${batchId}/jobs`, 'add-3', { jobs: [sms('1')] })).statusCode).toBe(
      409,
    )
    const open = await openBatch()
    const moved = await send(`/batches/${open}/jobs`, 'add-3', { jobs: [sms('1')] })
    expect(moved.statusCode).toBe(202)
    expect(await queued()).toBe(1)
  })
})
