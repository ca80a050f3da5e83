/**
 * The edges of what the API takes: each numeric option and paging parameter out of
 * range or not an integer, a repeated Idempotency-Key, a body that is not JSON, and a
 * batch far over its item limit. Each is a 4xx naming what is wrong, and nothing is
 * enqueued.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OPTION_EDGES, QUERY_EDGES } from '../support/numeric-edges.js'
import { startTestApp, type TestApp } from '../support/test-app.js'

let t: TestApp
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_MAX: '1000000000' })
})
afterAll(() => t.close())

const sms = { phone: '+84912345678', message: 'edge' }

async function enqueuedCount(): Promise<number> {
  const c = await t.queue('default').counts()
  return c.queued + c.scheduled + c.active + c.completed + c.dead + c.retrying
}

describe('numbers', () => {
  for (const [field, values] of Object.entries(OPTION_EDGES)) {
    it(`refuses every edge value of ${field} with a 400 naming it, on /jobs and in a batch`, async () => {
      for (const value of values()) {
        const one = await t.app.inject({
          method: 'POST',
          url: '/jobs',
          payload: { type: 'sms', payload: sms, [field]: value },
        })
        expect([value, one.statusCode]).toEqual([value, 400])
        expect(one.json<{ details: { path: string }[] }>().details.map((d) => d.path)).toContain(
          `/${field}`,
        )
        const batch = await t.app.inject({
          method: 'POST',
          url: '/jobs/batch',
          payload: {
            jobs: [
              { type: 'sms', payload: sms },
              { type: 'sms', payload: sms, [field]: value },
            ],
          },
        })
        expect([value, batch.statusCode]).toEqual([value, 400])
        expect(batch.json<{ details: { path: string }[] }>().details.map((d) => d.path)).toContain(
          `/jobs/1/${field}`,
        )
      }
      expect(await enqueuedCount()).toBe(0)
    })
  }

  for (const [name, values] of Object.entries(QUERY_EDGES)) {
    it(`refuses every edge value of ?${name}= on the listings with a 400, never coerced`, async () => {
      for (const value of values) {
        for (const url of ['/queues/default/jobs', '/queues/default/dead']) {
          const res = await t.app.inject({
            method: 'GET',
            url: `${url}?${name}=${encodeURIComponent(value)}`,
          })
          expect([value, res.statusCode]).toEqual([value, 400])
          expect(res.json()).toMatchObject({
            error: 'validation_failed',
            details: [{ path: `/${name}` }],
          })
        }
      }
    })
  }

  it('takes integers written plainly, at the bounds', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/queues/default/jobs?offset=100000&limit=1000',
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ offset: 100_000, limit: 1000 })
  })
})

describe('headers and media types', () => {
  it('refuses an Idempotency-Key sent twice, rather than reading "a, b"', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/enqueue-sms',
      payload: sms,
      headers: { 'idempotency-key': ['a', 'b'] },
    })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ details: [{ path: '/headers/idempotency-key' }] })
  })

  it('answers 415 to a body that is not JSON', async () => {
    for (const type of ['text/plain', 'application/xml', 'text/plain; charset=utf-8']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/enqueue-sms',
        payload: JSON.stringify(sms),
        headers: { 'content-type': type },
      })
      expect([type, res.statusCode]).toEqual([type, 415])
      expect(res.json()).toMatchObject({ error: 'unsupported_media_type' })
    }
    expect(await enqueuedCount()).toBe(0)
  })
})

describe('batches', () => {
  it('refuses a 100,000-item batch by its count, before checking any item', async () => {
    // Every item is faulty too: had the items been checked (the costly part, over a
    // second of event loop for this body), their faults would be in the answer.
    const item = { type: 5, payload: sms }
    const body = JSON.stringify({ jobs: Array.from({ length: 100_000 }, () => item) })
    const res = await t.app.inject({
      method: 'POST',
      url: '/jobs/batch',
      payload: body,
      headers: { 'content-type': 'application/json', 'idempotency-key': 'huge' },
    })
    expect(res.statusCode).toBe(400)
    expect(res.json<{ details: unknown[] }>().details).toEqual([
      { path: '/jobs', message: 'must not have more than 1000 items' },
    ])
    expect(await enqueuedCount()).toBe(0)
  })
})
