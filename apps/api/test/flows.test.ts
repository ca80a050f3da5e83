import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { usePrivateRedisApp } from './support/private-redis-app.js'
import { sseReader } from './support/sse.js'
import { until } from '@conveyor/queue-core/testing'

const h = usePrivateRedisApp()
const { workers } = h

const sms = (message: string) => ({ phone: '+84912345678', message })
const email = (subject: string) => ({ to: 'a@example.com', subject, body: 'hi' })

interface FlowBody {
  flowId: string
  jobs: Record<string, string>
  state: string
  error: string
  details: { path: string; message: string }[]
  counts: { total: number; finished: number; dead: number; cancelled: number }
  createdAt: string
}

const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
  h.call<FlowBody>(method, url, payload)

const diamond = {
  name: 'notify',
  jobs: [
    { id: 'A', type: 'sms', payload: sms('a') },
    { id: 'B', type: 'email', payload: email('b'), dependsOn: ['A'] },
    { id: 'C', type: 'sms', payload: sms('c'), dependsOn: ['A'] },
    { id: 'D', type: 'email', payload: email('d'), dependsOn: ['B', 'C'] },
  ],
}

describe('flows over HTTP', () => {
  it('keeps a quiet flow event stream open for longer than a Redis command may take', async () => {
    const created = await call('POST', '/flows', diamond)
    await h.t.app.listen({ port: 0, host: '127.0.0.1' })
    const base = `http://127.0.0.1:${(h.t.app.server.address() as AddressInfo).port}`
    const res = await fetch(`${base}/flows/${created.body.flowId}/events`)
    const events = sseReader(res.body!)
    // Nothing runs yet: the stream's blocking read waits past the API's command timeout.
    await new Promise((resolve) => setTimeout(resolve, 4_000))
    workers.start('default', { sms: () => undefined, email: () => undefined })
    const seen: { event: string; data: unknown }[] = []
    for (let e = await events.next(); e !== null; e = await events.next()) seen.push(e)
    expect(seen.filter((e) => e.event === 'job')).toHaveLength(4)
    expect(seen.at(-1)).toMatchObject({ event: 'flow', data: { state: 'completed' } })
  })

  it('POST /flows runs a diamond; GET /flows/:id and the jobs show it; the SSE stream follows it to the end', async () => {
    const created = await call('POST', '/flows', diamond)
    expect(created.status).toBe(202)
    const { flowId, jobs } = created.body
    expect(Object.keys(jobs)).toEqual(['A', 'B', 'C', 'D'])

    await h.t.app.listen({ port: 0, host: '127.0.0.1' })
    const base = `http://127.0.0.1:${(h.t.app.server.address() as AddressInfo).port}`
    const res = await fetch(`${base}/flows/${flowId}/events`)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const events = sseReader(res.body!)

    const handler = async (job: { parents(): Promise<Record<string, unknown>> }) =>
      Object.keys(await job.parents())
    workers.start('default', { sms: handler, email: handler })
    await until(
      async () => (await call('GET', `/flows/${flowId}`)).body.state === 'completed',
      'the flow',
    )

    const seen: unknown[] = []
    for (let e = await events.next(); e !== null; e = await events.next()) seen.push(e)
    expect(seen.filter((e) => (e as { event: string }).event === 'job')).toHaveLength(4)
    expect(seen.at(-1)).toMatchObject({ event: 'flow', data: { state: 'completed' } })

    const view = await call('GET', `/flows/${flowId}`)
    expect(view.body).toMatchObject({
      id: flowId,
      name: 'notify',
      state: 'completed',
      counts: { total: 4, finished: 4, dead: 0, cancelled: 0 },
    })
    expect(Date.parse(view.body.createdAt)).toBeGreaterThan(0)
    const d = await h.t.app.inject({ method: 'GET', url: `/jobs/${jobs.D}` })
    expect(d.json()).toMatchObject({ flow: { id: flowId, node: 'D' }, result: ['B', 'C'] })
  })

  it('answers 400 naming the job and field for a cycle, an unknown dependsOn, an unknown type or a bad payload, creating nothing', async () => {
    const redis = new Redis(h.t.redisUrl)
    const bad: [unknown[], string][] = [
      [
        [
          { id: 'A', type: 'sms', payload: sms('a'), dependsOn: ['B'] },
          { id: 'B', type: 'sms', payload: sms('b'), dependsOn: ['A'] },
        ],
        '/jobs/',
      ],
      [[{ id: 'A', type: 'sms', payload: sms('a'), dependsOn: ['Z'] }], '/jobs/0/dependsOn/0'],
      [
        [
          { id: 'A', type: 'sms', payload: sms('a') },
          { id: 'B', type: 'fax', payload: {} },
        ],
        '/jobs/1/type',
      ],
      [
        [{ id: 'A', type: 'email', payload: { to: 'not an address', subject: 's', body: 'b' } }],
        '/jobs/0/payload/to',
      ],
      [[{ id: 'A b', type: 'sms', payload: sms('a') }], '/jobs/0/id'],
    ]
    for (const [jobs, path] of bad) {
      const res = await call('POST', '/flows', { jobs })
      expect(res.status, path).toBe(400)
      expect(
        res.body.details[0]?.path.startsWith(path),
        `${res.body.details[0]?.path} for ${path}`,
      ).toBe(true)
    }
    expect(await redis.keys(`${h.t.prefix}:*flow*`)).toEqual([])
    expect(await h.t.queue('default').counts()).toMatchObject({ queued: 0, waiting: 0 })
    await redis.quit()
  })

  it('POST /flows/:id/cancel cancels what is unfinished; an unknown flow is 404', async () => {
    const created = await call('POST', '/flows', diamond)
    const cancelled = await call('POST', `/flows/${created.body.flowId}/cancel`)
    expect(cancelled.status).toBe(200)
    expect(cancelled.body).toMatchObject({
      state: 'cancelled',
      counts: { finished: 4, cancelled: 4 },
    })
    const b = await h.t.app.inject({ method: 'GET', url: `/jobs/${created.body.jobs.B}` })
    expect(b.json()).toMatchObject({ state: 'cancelled', lastError: { code: 'flow_cancelled' } })
    expect((await call('GET', '/flows/nope1')).status).toBe(404)
    expect((await call('POST', '/flows/nope1/cancel')).status).toBe(404)
    expect((await call('GET', '/flows/nope1')).body.error).toBe('flow_not_found')
  })

  it('documents the flow routes in OpenAPI', async () => {
    const doc = (await h.t.app.inject({ method: 'GET', url: '/docs/json' })).json<{
      paths: Record<string, unknown>
    }>()
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/flows', '/flows/{id}', '/flows/{id}/cancel', '/flows/{id}/events']),
    )
  })
})
