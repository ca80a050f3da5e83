import { describe, expect, it } from 'vitest'
import { usePrivateRedisApp } from './support/private-redis-app.js'
import { until } from '@conveyor/queue-core/testing'

const h = usePrivateRedisApp()
const { workers } = h

const sms = (message: string) => ({ type: 'sms', payload: { phone: '+84912345678', message } })

const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
  h.call<Record<string, unknown>>(method, url, payload)

describe('batches over HTTP', () => {
  it('creates a batch, adds jobs until it is closed, fires its callback once with the counts', async () => {
    const reports: unknown[] = []
    workers.start('default', {
      sms: async (job) => {
        const report = await job.batch()
        if (report) reports.push(report)
      },
    })
    const created = await call('POST', '/batches', {
      name: 'promo',
      onComplete: sms('all done'),
      jobs: [sms('1'), sms('2')],
    })
    expect(created.status).toBe(201)
    const batchId = created.body.batchId as string
    const added = await call('POST', `/batches/${batchId}/jobs`, { jobs: [sms('3')] })
    expect(added.status).toBe(202)
    const job = await h.t.app.inject({
      method: 'GET',
      url: `/jobs/${(added.body.jobs as string[])[0]}`,
    })
    expect(job.json()).toMatchObject({ batch: batchId })
    const closed = await call('POST', `/batches/${batchId}/close`)
    expect(closed.status).toBe(200)
    expect((await call('POST', `/batches/${batchId}/jobs`, { jobs: [sms('4')] })).status).toBe(409)
    await until(() => reports.length === 1, 'the callback')
    expect(reports[0]).toEqual({
      id: batchId,
      counts: { total: 3, completed: 3, dead: 0, cancelled: 0 },
      failed: [],
    })
    const view = await call('GET', `/batches/${batchId}`)
    expect(view.body).toMatchObject({
      name: 'promo',
      state: 'done',
      counts: { total: 3, completed: 3, pending: 0 },
      callbacks: { onComplete: `default:${batchId}-onComplete` },
    })
  })

  it('answers 400 naming the field of a bad job or callback, 404 for an unknown batch', async () => {
    const bad = await call('POST', '/batches', { onSuccess: { type: 'fax', payload: {} } })
    expect(bad.status).toBe(400)
    expect(bad.body.details).toEqual([expect.objectContaining({ path: '/onSuccess/type' })])
    const badJob = await call('POST', '/batches', {
      jobs: [sms('1'), { type: 'sms', payload: {} }],
    })
    expect(badJob.status).toBe(400)
    expect((badJob.body.details as { path: string }[])[0]?.path).toMatch(/^\/jobs\/1\/payload/)
    expect((await call('GET', '/batches/nope1')).status).toBe(404)
    expect((await call('POST', '/batches/nope1/close')).status).toBe(404)
    expect((await call('POST', '/batches/nope1/jobs', { jobs: [sms('1')] })).status).toBe(404)
  })
})
