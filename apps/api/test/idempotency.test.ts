import { afterEach, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './support/test-app.js'

let t: TestApp
afterEach(() => t.close())

const sms = { phone: '+84912345678', message: 'Xin chào 👋' }

function send(key: string, payload: unknown, o: { url?: string; apiKey?: string } = {}) {
  return t.app.inject({
    method: 'POST',
    url: o.url ?? '/enqueue-sms',
    headers: {
      'idempotency-key': key,
      ...(o.apiKey === undefined ? {} : { authorization: `Bearer ${o.apiKey}` }),
    },
    payload: payload as object,
  })
}

it('answers a repeat of the key and body with the first job, creating one, whatever the key order', async () => {
  t = await startTestApp()
  const first = await send('order-42', { phone: sms.phone, message: sms.message })
  const second = await send('order-42', { message: sms.message, phone: sms.phone })
  expect(first.statusCode).toBe(202)
  expect(second.statusCode).toBe(202)
  expect(second.json()).toEqual(first.json())
  expect(first.headers['idempotent-replayed']).toBeUndefined()
  expect(second.headers['idempotent-replayed']).toBe('true')
  expect((await t.queue('default').counts()).queued).toBe(1)
})

it('answers 422 for the same key with another body or route, creating nothing more', async () => {
  t = await startTestApp()
  expect((await send('k-1', sms)).statusCode).toBe(202)
  const reused = await send('k-1', { ...sms, message: 'khác' })
  expect(reused.statusCode).toBe(422)
  expect(reused.json()).toMatchObject({ error: 'idempotency_key_reused' })
  const otherRoute = await send('k-1', { type: 'sms', payload: sms }, { url: '/jobs' })
  expect(otherRoute.statusCode).toBe(422)
  expect((await t.queue('default').counts()).queued).toBe(1)
})

it('keeps no state for a request that failed: the key is free for the corrected request', async () => {
  t = await startTestApp()
  const bad = await send('k-bad', { ...sms, phone: 'x' })
  expect(bad.statusCode).toBe(400)
  const good = await send('k-bad', sms)
  expect(good.statusCode).toBe(202)
  expect(good.headers['idempotent-replayed']).toBeUndefined()
  expect((await t.queue('default').counts()).queued).toBe(1)
})

it('scopes a key to the API key that sent it', async () => {
  t = await startTestApp({ API_KEYS: 'key-a,key-b' })
  const a = await send('shared', sms, { apiKey: 'key-a' })
  const b = await send('shared', sms, { apiKey: 'key-b' })
  expect(a.statusCode).toBe(202)
  expect(b.statusCode).toBe(202)
  expect(b.headers['idempotent-replayed']).toBeUndefined()
  expect(b.json<{ id: string }>().id).not.toBe(a.json<{ id: string }>().id)
  const again = await send('shared', sms, { apiKey: 'key-b' })
  expect(again.json<{ id: string }>().id).toBe(b.json<{ id: string }>().id)
  expect((await t.queue('default').counts()).queued).toBe(2)
})

it('makes a whole batch idempotent: a repeat returns the same ids, in order', async () => {
  t = await startTestApp()
  const body = {
    jobs: [
      { type: 'sms', payload: sms },
      {
        type: 'convert',
        payload: { uploadId: 'u1', sourceFormat: 'csv', targetFormat: 'json', filename: 'a.csv' },
      },
    ],
  }
  const first = await send('batch-1', body, { url: '/jobs/batch' })
  const second = await send('batch-1', body, { url: '/jobs/batch' })
  expect(first.statusCode).toBe(202)
  expect(second.json()).toEqual(first.json())
  expect(second.headers['idempotent-replayed']).toBe('true')
  expect((await t.queue('default').counts()).queued).toBe(1)
  expect((await t.queue('convert').counts()).queued).toBe(1)
})

it('refuses an Idempotency-Key sent twice, or empty, with 400 naming the header', async () => {
  t = await startTestApp()
  const twice = await t.app.inject({
    method: 'POST',
    url: '/enqueue-sms',
    headers: { 'idempotency-key': ['a', 'b'] },
    payload: sms,
  })
  expect(twice.statusCode).toBe(400)
  expect(twice.json()).toMatchObject({ details: [{ path: '/headers/idempotency-key' }] })
  expect((await send('', sms)).statusCode).toBe(400)
  expect((await t.queue('default').counts()).queued).toBe(0)
})
