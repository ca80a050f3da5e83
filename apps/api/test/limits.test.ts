import { describe, expect, it } from 'vitest'
import { usePrivateRedisApp } from './support/private-redis-app.js'

const h = usePrivateRedisApp()
const { workers } = h

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE'
const call = (method: Method, url: string, payload?: object) => h.call(method, url, payload)

const sms = (i: number) => ({ phone: '+84912345678', message: `tin ${i}` })

describe('limits and groups over HTTP', () => {
  it("reads, replaces and removes a queue's limits", async () => {
    expect(await call('GET', '/queues/default/limits')).toEqual({ status: 200, body: {} })
    const limits = { rate: { max: 50, perMs: 1000 }, groups: { concurrency: 2 } }
    expect(await call('PUT', '/queues/default/limits', limits)).toEqual({
      status: 200,
      body: limits,
    })
    expect((await call('GET', '/queues/default/limits')).body).toEqual(limits)
    expect((await call('DELETE', '/queues/default/limits')).status).toBe(204)
    expect((await call('GET', '/queues/default/limits')).body).toEqual({})
    expect((await call('GET', '/queues/nope/limits')).status).toBe(404)
  })

  it.each([
    [{ rate: { max: 5, perMs: 0 } }, '/rate/perMs'],
    [{ rate: { max: -1, perMs: 10 } }, '/rate/max'],
    [{ groups: { concurrency: 1.5 } }, '/groups/concurrency'],
    [{ groups: { rate: { max: 1 } } }, '/groups/rate'],
  ])('refuses %j with a 400 naming %s, changing nothing', async (body, path) => {
    await call('PUT', '/queues/default/limits', { groups: { concurrency: 3 } })
    const res = await call('PUT', '/queues/default/limits', body)
    expect(res.status).toBe(400)
    expect(JSON.stringify(res.body)).toContain(path)
    expect((await call('GET', '/queues/default/limits')).body).toEqual({
      groups: { concurrency: 3 },
    })
  })

  it("reads, replaces and removes one group's override", async () => {
    const url = '/queues/default/groups/tenant-7/limits'
    expect(await call('GET', url)).toEqual({ status: 200, body: {} })
    const body = { concurrency: 1, rate: { max: 1, perMs: 10_000 } }
    expect(await call('PUT', url, body)).toEqual({ status: 200, body })
    expect((await call('GET', url)).body).toEqual(body)
    expect((await call('PUT', url, { concurrency: 0 })).status).toBe(400)
    expect((await call('DELETE', url)).status).toBe(204)
    expect((await call('GET', url)).body).toEqual({})
  })

  it('enqueues with group and dedup, lists groups a page at a time, and shows the limit a job waits on', async () => {
    await call('PUT', '/queues/default/groups/a/limits', { concurrency: 1 })
    const batch = await call('POST', '/jobs/batch', {
      jobs: ['a', 'a', 'b', 'c'].map((group, i) => ({ type: 'sms', payload: sms(i), group })),
    })
    expect(batch.status).toBe(202)
    const ids = (batch.body as { jobs: { id: string }[] }).jobs.map((j) => j.id)
    const page1 = await call('GET', '/queues/default/groups?limit=2')
    expect(page1.body).toEqual({
      groups: [
        { group: 'a', queued: 2, running: 0 },
        { group: 'b', queued: 1, running: 0 },
      ],
      cursor: 'b',
    })
    expect((await call('GET', '/queues/default/groups?limit=2&cursor=b')).body).toEqual({
      groups: [{ group: 'c', queued: 1, running: 0 }],
      cursor: null,
    })
    // A full last page: nothing after it, so no cursor to follow.
    const whole = await call('GET', '/queues/default/groups?limit=3')
    expect(whole.body).toMatchObject({ cursor: null })
    expect((whole.body as { groups: { group: string }[] }).groups.map((g) => g.group)).toEqual([
      'a',
      'b',
      'c',
    ])
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    workers.start('default', { sms: () => held })
    const second = `/jobs/${ids[1] ?? ''}`
    const deadline = Date.now() + 10_000
    let job = (await call('GET', second)).body as { group?: string; waitingOn?: string }
    while (job.waitingOn !== 'group_concurrency' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      job = (await call('GET', second)).body as { group?: string; waitingOn?: string }
    }
    expect(job).toMatchObject({ group: 'a', waitingOn: 'group_concurrency' })
    // Group a runs one job and holds the other back: one job waits on its concurrency.
    const scraped = await h.t.app.inject({ method: 'GET', url: '/metrics' })
    expect(scraped.body).toContain(
      'conveyor_queue_jobs_waiting_on_limit{queue="default",limit="group_concurrency"} 1',
    )
    expect(scraped.body).toContain(
      'conveyor_queue_groups_waiting_on_limit{queue="default",limit="group_concurrency"} 1',
    )
    release()

    // Throttled: the first job may have run already, the key holds for ten minutes.
    const dedup = { key: 'reminder-1', mode: 'throttle', ttlMs: 600_000 }
    const first = await call('POST', '/jobs', { type: 'sms', payload: sms(1), dedup })
    const again = await call('POST', '/jobs', { type: 'sms', payload: sms(2), dedup })
    expect(again.status).toBe(202)
    expect((again.body as { id: string }).id).toBe((first.body as { id: string }).id)
    const metrics = await h.t.app.inject({ method: 'GET', url: '/metrics' })
    expect(metrics.body).toContain(
      'conveyor_enqueue_deduplicated_total{queue="default",mode="throttle"} 1',
    )
    expect(metrics.body).toContain('conveyor_queue_groups_waiting_on_limit')
  })

  it('refuses a bad group or dedup with a 400 naming the field', async () => {
    const long = await call('POST', '/jobs', {
      type: 'sms',
      payload: sms(1),
      group: 'x'.repeat(129),
    })
    expect(long.status).toBe(400)
    expect(JSON.stringify(long.body)).toContain('/group')
    const ttl = await call('POST', '/jobs', {
      type: 'sms',
      payload: sms(1),
      dedup: { key: 'k', mode: 'throttle' },
    })
    expect(ttl.status).toBe(400)
    expect(JSON.stringify(ttl.body)).toContain('/dedup/ttlMs')
  })

  it('documents the limit and group routes in OpenAPI', async () => {
    const spec = (await call('GET', '/docs/json')).body as { paths: Record<string, unknown> }
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/queues/{queue}/limits',
        '/queues/{queue}/groups/{group}/limits',
        '/queues/{queue}/groups',
      ]),
    )
  })
})
