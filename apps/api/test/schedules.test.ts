import { schedulerKeys } from '@conveyor/queue-core'
import { Redis } from 'ioredis'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './support/test-app.js'

let t: TestApp
beforeEach(async () => {
  t = await startTestApp()
})
afterEach(() => t.close())

const sms = { phone: '+84912345678', message: 'Báo cáo hằng ngày' }
const daily = { cron: '0 8 * * *', timezone: 'Asia/Ho_Chi_Minh', type: 'sms', payload: sms }

interface Body {
  error?: string
  message?: string
  details?: { path: string; message: string }[]
  [field: string]: unknown
}

async function call(
  method: 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE',
  url: string,
  body?: unknown,
) {
  const res = await t.app.inject({
    method,
    url,
    ...(body === undefined ? {} : { payload: body as object }),
  })
  return { status: res.statusCode, body: res.body === '' ? null : res.json<Body>() }
}

describe('schedules API', () => {
  it('creates a schedule and shows its next 5 fire times in its timezone and in UTC', async () => {
    const created = await call('PUT', '/schedules/daily-report', daily)
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      name: 'daily-report',
      source: 'api',
      state: 'active',
      revision: 1,
      fires: 0,
      lastSlot: null,
      spec: daily,
      leader: null,
    })
    const next = created.body?.next as { utc: string; local: string }[]
    expect(next).toHaveLength(5)
    for (const f of next) {
      expect(f.local).toMatch(/T08:00:00\.000\+07:00$/)
      expect(f.utc).toMatch(/T01:00:00\.000Z$/)
      expect(Date.parse(f.local)).toBe(Date.parse(f.utc))
    }
    expect(Date.parse(next[1]!.utc) - Date.parse(next[0]!.utc)).toBe(86_400_000)

    const same = await call('PUT', '/schedules/daily-report', daily)
    expect(same.status).toBe(200)
    expect(same.body?.revision).toBe(1)
    const list = await call('GET', '/schedules')
    expect(list.body).toMatchObject({ schedules: [{ name: 'daily-report' }], leader: null })
  })

  it('answers 400 naming the field and stores nothing', async () => {
    const cases: [unknown, string][] = [
      [{ ...daily, cron: '0 25 * * *' }, '/cron'],
      [{ ...daily, timezone: 'Asia/Hanoi City' }, '/timezone'],
      [{ ...daily, type: 'pager' }, '/type'],
      [{ ...daily, payload: { phone: '0912', message: 'x' } }, '/payload/phone'],
      [{ ...daily, options: { maxAttempts: 0 } }, '/options/maxAttempts'],
      [{ ...daily, startAt: 'next monday' }, '/startAt'],
      [{ ...daily, everyMs: 60_000 }, '/everyMs'],
    ]
    for (const [body, path] of cases) {
      const res = await call('PUT', '/schedules/bad', body)
      expect(res.status, path).toBe(400)
      expect(res.body?.error).toBe('validation_failed')
      expect(
        res.body?.details?.map((d) => d.path),
        path,
      ).toContain(path)
    }
    expect((await call('PUT', '/schedules/bad name', daily)).status).toBe(400)
    expect((await call('GET', '/schedules/bad')).status).toBe(404)
    expect((await call('GET', '/schedules')).body?.schedules).toEqual([])
  })

  it('patches, renames keeping the identity, removes a field with null, and deletes', async () => {
    const { body } = await call('PUT', '/schedules/a', { ...daily, limit: 10 })
    const patched = await call('PATCH', '/schedules/a', { payload: { ...sms, message: 'mới' } })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ revision: 2, spec: { payload: { message: 'mới' } } })
    const renamed = await call('PATCH', '/schedules/a', { name: 'b', limit: null })
    expect(renamed.body).toMatchObject({ name: 'b', id: body?.id, revision: 3 })
    expect((renamed.body?.spec as Record<string, unknown>).limit).toBeUndefined()
    expect((await call('GET', '/schedules/a')).status).toBe(404)

    await call('PUT', '/schedules/c', daily)
    const taken = await call('PATCH', '/schedules/b', { name: 'c' })
    expect(taken).toMatchObject({ status: 409, body: { error: 'schedule_conflict' } })
    const bad = await call('PATCH', '/schedules/b', { cron: 'every day' })
    expect(bad.status).toBe(400)
    expect(bad.body?.details?.map((d) => d.path)).toEqual(['/cron'])
    expect((await call('PATCH', '/schedules/b', {})).status).toBe(400)
    expect((await call('PATCH', '/schedules/none', { limit: 1 })).status).toBe(404)

    expect((await call('DELETE', '/schedules/b')).status).toBe(204)
    expect((await call('GET', '/schedules/b')).status).toBe(404)
    expect((await call('DELETE', '/schedules/b')).status).toBe(404)
  })

  it('pauses, resumes and runs a schedule now, listing the run with its job state', async () => {
    await call('PUT', '/schedules/r', daily)
    const paused = await call('POST', '/schedules/r/pause')
    expect(paused.body).toMatchObject({ state: 'paused', next: [], nextFire: null })
    const run = await call('POST', '/schedules/r/run')
    expect(run.status).toBe(202)
    const jobId = String(run.body?.jobId)
    expect(jobId).toMatch(/^default:sched:r:run:/)
    expect(run.body?.statusUrl).toBe(`/jobs/${encodeURIComponent(jobId)}`)
    const job = await call('GET', `/jobs/${jobId}`)
    expect(job.body).toMatchObject({ type: 'sms', payload: sms, state: 'queued' })
    const resumed = await call('POST', '/schedules/r/resume')
    expect(resumed.body).toMatchObject({ state: 'active' })

    const runs = await call('GET', '/schedules/r/runs')
    expect(runs.body).toMatchObject({
      name: 'r',
      runs: [{ kind: 'run', slot: null, jobId, jobState: 'queued' }],
      missed: [],
    })
    await t.queue('default').remove(jobId)
    const gone = await call('GET', '/schedules/r/runs')
    expect(gone.body?.runs).toMatchObject([{ jobId, jobState: 'gone' }])
    expect((await call('POST', '/schedules/none/run')).status).toBe(404)
  })

  it('refuses to edit a file-managed schedule with 409, and lets it be paused, resumed and run', async () => {
    await t.app.schedules.put('from-file', daily, { source: 'file' })
    for (const [method, body] of [
      ['PUT', { ...daily, cron: '0 9 * * *' }],
      ['PATCH', { limit: 3 }],
      ['DELETE', undefined],
    ] as const) {
      const res = await call(method, '/schedules/from-file', body)
      expect(res.status, method).toBe(409)
      expect(res.body?.error).toBe('schedule_file_managed')
      expect(res.body?.message).toMatch(/SCHEDULES_FILE/)
    }
    expect((await call('POST', '/schedules/from-file/pause')).body?.state).toBe('paused')
    expect((await call('POST', '/schedules/from-file/resume')).body?.state).toBe('active')
    expect((await call('POST', '/schedules/from-file/run')).status).toBe(202)
    expect((await call('GET', '/schedules/from-file')).body).toMatchObject({
      source: 'file',
      revision: 3,
    })
  })

  it('shows who leads: holder, fencing token and how long it has held the lease', async () => {
    await call('PUT', '/schedules/l', daily)
    const keys = schedulerKeys(t.prefix)
    const redis = new Redis(t.redisUrl)
    try {
      const [seconds] = await redis.time()
      await redis.set(keys.lease, 'host-a:42:beef|7', 'PX', 10_000)
      await redis.set(keys.leaderSince, `7|${(Number(seconds) - 3) * 1000}`)
    } finally {
      await redis.quit()
    }
    const res = await call('GET', '/schedules/l')
    const leader = res.body?.leader as { holder: string; token: number; heldForMs: number }
    expect(leader).toMatchObject({ holder: 'host-a:42:beef', token: 7 })
    expect(leader.heldForMs).toBeGreaterThanOrEqual(2_000)
    expect(leader.heldForMs).toBeLessThan(60_000)
  })

  it('documents every schedules route in the OpenAPI document', async () => {
    const doc = (await call('GET', '/docs/json')).body as { paths: Record<string, object> }
    expect(Object.keys(doc.paths['/schedules/{name}'] ?? {}).sort()).toEqual([
      'delete',
      'get',
      'patch',
      'put',
    ])
    for (const path of ['/schedules', '/schedules/{name}/pause', '/schedules/{name}/resume']) {
      expect(doc.paths[path], path).toBeDefined()
    }
    expect(doc.paths['/schedules/{name}/run']).toBeDefined()
    expect(doc.paths['/schedules/{name}/runs']).toBeDefined()
  })
})
