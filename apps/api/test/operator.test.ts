import { ConveyorError } from '@conveyor/queue-core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './support/test-app.js'
import { workerPool } from './support/workers.js'
import { anyString } from './support/matchers.js'

let t: TestApp
const workers = workerPool(() => t)
beforeEach(async () => {
  t = await startTestApp()
})
afterEach(async () => {
  await workers.closeAll()
  await t.close()
})

const sms = (i: number) => ({ phone: '+84912345678', message: `tin ${i}` })

interface Body {
  error?: string
  details?: unknown[]
  jobs?: { id: string; state: string }[]
  queues?: unknown[]
  [field: string]: unknown
}

async function call(method: 'GET' | 'POST' | 'DELETE', url: string) {
  const res = await t.app.inject({ method, url })
  return { status: res.statusCode, body: res.body === '' ? null : res.json<Body>() }
}

async function enqueue(n: number): Promise<string[]> {
  const jobs = Array.from({ length: n }, (_, i) => ({ type: 'sms', payload: sms(i) }))
  const res = await t.app.inject({ method: 'POST', url: '/jobs/batch', payload: { jobs } })
  return res.json<{ jobs: { id: string }[] }>().jobs.map((j) => j.id)
}

/** Runs `ids` into the dead-letter list with a handler that fails for good. */
async function killAll(ids: string[]): Promise<void> {
  const dead = new Set<string>()
  await new Promise<void>((resolve) => {
    const worker = workers.start('default', {
      sms: () => {
        throw ConveyorError.permanent('provider refused the number')
      },
    })
    worker.on('failed', (job) => {
      dead.add(job.id)
      if (ids.every((id) => dead.has(id))) resolve()
    })
  })
  await workers.closeAll()
}

describe('operator routes', () => {
  it('lists counts per queue', async () => {
    await enqueue(3)
    const res = await call('GET', '/queues')
    expect(res.status).toBe(200)
    expect(res.body?.queues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'default', queued: 3, paused: false }),
        expect.objectContaining({ name: 'convert', queued: 0 }),
      ]),
    )
  })

  it('lists jobs by state, a page at a time', async () => {
    const ids = await enqueue(5)
    const first = await call('GET', '/queues/default/jobs?state=queued&offset=0&limit=2')
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ total: 5, offset: 0, limit: 2 })
    expect(first.body?.jobs?.map((j) => j.id)).toEqual(ids.slice(0, 2))
    const last = await call('GET', '/queues/default/jobs?state=queued&offset=4&limit=2')
    expect(last.body?.jobs?.map((j) => j.id)).toEqual(ids.slice(4))
    const none = await call('GET', '/queues/default/jobs?state=completed')
    expect(none.body).toMatchObject({ total: 0, jobs: [] })
    const bad = await call('GET', '/queues/default/jobs?state=lost')
    expect(bad.status).toBe(400)
    const badLimit = await call('GET', '/queues/default/jobs?limit=5000')
    expect(badLimit.status).toBe(400)
    expect(badLimit.body?.details).toContainEqual({ path: '/limit', message: anyString })
  })

  it("lists queued grouped jobs after the plain ones, and one group's with ?group=", async () => {
    const plain = await enqueue(2)
    const jobs = ['t-2', 't-1', 't-2', 't-1'].map((group, i) => ({
      type: 'sms',
      payload: sms(i),
      group,
    }))
    const res = await t.app.inject({ method: 'POST', url: '/jobs/batch', payload: { jobs } })
    const grouped = res.json<{ jobs: { id: string }[] }>().jobs.map((j) => j.id)
    const all = await call('GET', '/queues/default/jobs?state=queued&limit=10')
    expect(all.body).toMatchObject({ total: 6 })
    // Plain jobs, then group by group (by name), each in enqueue order.
    expect(all.body?.jobs?.map((j) => j.id)).toEqual([
      ...plain,
      grouped[1],
      grouped[3],
      grouped[0],
      grouped[2],
    ])
    const one = await call('GET', '/queues/default/jobs?group=t-2&offset=1&limit=5')
    expect(one.status).toBe(200)
    expect(one.body).toMatchObject({ total: 2, offset: 1, limit: 5 })
    expect(one.body?.jobs?.map((j) => j.id)).toEqual([grouped[2]])
    expect(one.body?.jobs?.[0]).toMatchObject({ group: 't-2' })
    for (const url of [
      '/queues/default/jobs?group=a%01b',
      `/queues/default/jobs?group=${'x'.repeat(129)}`,
      '/queues/default/jobs?group=',
      '/queues/default/jobs?state=dead&group=t-2',
    ]) {
      const bad = await call('GET', url)
      expect(bad.status, url).toBe(400)
      expect(bad.body?.details, url).toContainEqual({ path: '/group', message: anyString })
    }
  })

  it('answers 404 for an unknown queue', async () => {
    for (const [method, url] of [
      ['GET', '/queues/nope/jobs'],
      ['GET', '/queues/nope/dead'],
      ['POST', '/queues/nope/dead/requeue'],
      ['POST', '/queues/nope/pause'],
      ['POST', '/queues/nope/resume'],
    ] as const) {
      const res = await call(method, url)
      expect(res.status, url).toBe(404)
      expect(res.body?.error).toBe('queue_not_found')
    }
  })

  it('cancels a waiting job; cancelling it again is 409; unknown is 404', async () => {
    const [id] = await enqueue(1)
    const res = await call('POST', `/jobs/${id}/cancel`)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id, state: 'cancelled' })
    expect((await call('POST', `/jobs/${id}/cancel`)).status).toBe(409)
    expect((await call('POST', '/jobs/none/cancel')).status).toBe(404)
  })

  it('deletes a job', async () => {
    const [id] = await enqueue(1)
    expect((await call('DELETE', `/jobs/${id}`)).status).toBe(204)
    expect((await call('GET', `/jobs/${id}`)).status).toBe(404)
    expect((await call('DELETE', `/jobs/${id}`)).status).toBe(404)
  })

  it('lists dead jobs, retries one, requeues the rest', async () => {
    const ids = await enqueue(3)
    await killAll(ids)
    const dead = await call('GET', '/queues/default/dead?limit=2')
    expect(dead.body).toMatchObject({ total: 3, limit: 2 })
    expect(dead.body?.jobs).toHaveLength(2)
    expect(dead.body?.jobs?.[0]).toMatchObject({
      state: 'dead',
      lastError: { message: 'provider refused the number' },
    })

    const retried = await call('POST', `/jobs/${ids[0]}/retry`)
    expect(retried.status).toBe(200)
    expect(retried.body).toMatchObject({ id: ids[0], state: 'queued', attempts: 0 })
    expect((await call('POST', `/jobs/${ids[0]}/retry`)).status).toBe(409)

    const requeue = await call('POST', '/queues/default/dead/requeue')
    expect(requeue.body).toEqual({ queue: 'default', requeued: 2 })
    const counts = await t.queue('default').counts()
    expect(counts).toMatchObject({ queued: 3, dead: 0 })
  })

  it('pauses and resumes a queue', async () => {
    const paused = await call('POST', '/queues/default/pause')
    expect(paused.body).toEqual({ queue: 'default', paused: true })
    expect(await t.queue('default').isPaused()).toBe(true)
    const queues = await call('GET', '/queues')
    expect(queues.body?.queues).toContainEqual(
      expect.objectContaining({ name: 'default', paused: true }),
    )
    const resumed = await call('POST', '/queues/default/resume')
    expect(resumed.body).toEqual({ queue: 'default', paused: false })
  })
})
