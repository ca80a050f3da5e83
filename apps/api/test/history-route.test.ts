import { ConveyorError } from '@conveyor/queue-core'
import { afterEach, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './support/test-app.js'
import { workerPool } from './support/workers.js'

let t: TestApp
const workers = workerPool(() => t)
afterEach(async () => {
  await workers.closeAll()
  await t.close()
})

interface Percentiles {
  count: number
  p50: number
  p95: number
  p99: number
}
interface Counts {
  completed: number
  failed: number
  retried: number
  waitMs?: Percentiles
  runMs?: Percentiles
}
interface History {
  queue: string
  resolution: string
  points: (Counts & { at: string; byType: Record<string, Counts> })[]
  total: Counts & { byType: Record<string, Counts> }
}

const sms = (message: string) => ({ type: 'sms', payload: { phone: '+84912345678', message } })

describe('GET /queues/:queue/history', () => {
  it('answers outcome counts with wait and run time percentiles, per point and in total', async () => {
    t = await startTestApp()
    const jobs = Array.from({ length: 8 }, (_, i) => sms(`${i}`))
    expect(
      (await t.app.inject({ method: 'POST', url: '/jobs/batch', payload: { jobs } })).statusCode,
    ).toBe(202)
    let ended = 0
    await new Promise<void>((resolve) => {
      const worker = workers.start('default', {
        sms: (job) => {
          if ((job.payload as { message: string }).message === '7') {
            throw ConveyorError.permanent('refused')
          }
        },
      })
      const end = () => (ended += 1) === jobs.length && resolve()
      worker.on('completed', end).on('failed', end)
    })
    await workers.closeAll() // the last heartbeat flushes the history

    for (const resolution of ['minute', 'hour'] as const) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/queues/default/history?resolution=${resolution}&hours=2`,
      })
      expect(res.statusCode).toBe(200)
      const { points, total, ...rest } = res.json<History>()
      expect(rest).toEqual({ queue: 'default', resolution })
      expect(points).toHaveLength(resolution === 'minute' ? 121 : 3)
      const counted = { completed: 7, failed: 1, retried: 0 }
      expect(total).toMatchObject(counted)
      for (const times of [total.waitMs, total.runMs, total.byType.sms?.runMs]) {
        expect(times?.count, resolution).toBe(8)
        expect(times?.p50).toBeLessThanOrEqual(times?.p95 ?? -1)
        expect(times?.p95).toBeLessThanOrEqual(times?.p99 ?? -1)
      }
      expect(total.byType.sms).toMatchObject(counted)
      // points without jobs carry no percentiles; those with jobs add up to the total
      const busy = points.filter((p) => p.runMs !== undefined)
      expect(busy.length).toBeGreaterThan(0)
      expect(points.find((p) => p.runMs === undefined && p.completed > 0)).toBeUndefined()
      expect(busy.reduce((n, p) => n + (p.runMs?.count ?? 0), 0)).toBe(8)
    }
  })

  it('answers the last hour and day on the overview with their percentiles', async () => {
    t = await startTestApp()
    const jobs = Array.from({ length: 3 }, (_, i) => sms(`${i}`))
    await t.app.inject({ method: 'POST', url: '/jobs/batch', payload: { jobs } })
    let ended = 0
    await new Promise<void>((resolve) => {
      workers
        .start('default', { sms: () => undefined })
        .on('completed', () => (ended += 1) === jobs.length && resolve())
    })
    await workers.closeAll()
    const res = await t.app.inject({ method: 'GET', url: '/overview' })
    const queue = res
      .json<{ queues: { name: string; lastHour: Counts; lastDay: Counts }[] }>()
      .queues.find((q) => q.name === 'default')
    for (const span of [queue?.lastHour, queue?.lastDay]) {
      expect(span).toMatchObject({ completed: 3, failed: 0, retried: 0 })
      expect(span?.runMs?.count).toBe(3)
      expect(span?.waitMs?.count).toBe(3)
      expect(span).not.toHaveProperty('byType')
    }
  })

  it('documents the percentiles in OpenAPI', async () => {
    t = await startTestApp()
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json<{
      paths: Record<string, { get?: { responses: Record<string, { content: unknown }> } }>
    }>()
    const answer = JSON.stringify(doc.paths['/queues/{queue}/history']?.get?.responses['200'])
    for (const field of ['"total"', '"waitMs"', '"runMs"', '"p95"', '"p99"']) {
      expect(answer).toContain(field)
    }
  })
})
