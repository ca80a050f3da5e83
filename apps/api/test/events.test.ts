import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sseReader, type SseEvent } from './support/sse.js'
import { startTestApp, type TestApp } from './support/test-app.js'

let t: TestApp
let base: string

beforeEach(async () => {
  t = await startTestApp()
  await t.app.listen({ port: 0, host: '127.0.0.1' })
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
})
afterEach(async () => {
  await t.close()
})

const sms = { phone: '+84912345678', message: 'Theo dõi' }

async function nextJobEvent(events: ReturnType<typeof sseReader>): Promise<SseEvent | null> {
  for (;;) {
    const event = await events.next()
    if (event === null || event.event === 'job') return event
  }
}

describe('GET /events', () => {
  it('streams every queue’s events from now on, with the queue and a time', async () => {
    const res = await fetch(`${base}/events`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const events = sseReader(res.body!)
    const sent = await t.app.inject({ method: 'POST', url: '/enqueue-sms', payload: sms })
    const { id } = sent.json<{ id: string }>()
    const convert = await t.app.inject({
      method: 'POST',
      url: '/jobs',
      payload: {
        type: 'convert',
        payload: { uploadId: 'u1', sourceFormat: 'csv', targetFormat: 'json', filename: 'a.csv' },
      },
    })
    const convertId = convert.json<{ id: string }>().id
    const seen = [await nextJobEvent(events), await nextJobEvent(events)].map((e) => e?.data)
    expect(seen).toEqual(
      expect.arrayContaining([
        { queue: 'default', event: 'queued', ids: [id], at: expect.any(String) as unknown },
        { queue: 'convert', event: 'queued', ids: [convertId], at: expect.any(String) as unknown },
      ]),
    )
    const at = (seen[0] as { at: string }).at
    expect(Math.abs(Date.parse(at) - Date.now())).toBeLessThan(60_000)
    await events.cancel()
  })

  it('follows one queue with ?queue=, and answers 404 for an unknown queue', async () => {
    const res = await fetch(`${base}/events?queue=convert`)
    const events = sseReader(res.body!)
    await t.app.inject({ method: 'POST', url: '/enqueue-sms', payload: sms })
    const convert = await t.app.inject({
      method: 'POST',
      url: '/jobs',
      payload: {
        type: 'convert',
        payload: { uploadId: 'u2', sourceFormat: 'csv', targetFormat: 'json', filename: 'b.csv' },
      },
    })
    const first = await nextJobEvent(events)
    expect(first?.data).toMatchObject({
      queue: 'convert',
      ids: [convert.json<{ id: string }>().id],
    })
    await events.cancel()
    const missing = await t.app.inject({ method: 'GET', url: '/events?queue=nope' })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ error: 'queue_not_found' })
  })

  it('ends open streams when the server closes', async () => {
    const res = await fetch(`${base}/events`)
    const events = sseReader(res.body!)
    await t.app.close()
    expect(await nextJobEvent(events)).toBeNull()
  })
})
