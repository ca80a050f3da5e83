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

interface Page {
  jobs: { id: string; type: string }[]
  next: string | null
  scanned: number
  total: number
}

async function get<T>(url: string, headers: Record<string, string> = {}) {
  const res = await t.app.inject({ method: 'GET', url, headers })
  return { status: res.statusCode, body: res.json<T>() }
}

async function post<T>(url: string, payload?: unknown, headers: Record<string, string> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  })
  return { status: res.statusCode, body: res.body === '' ? null : res.json<T>(), res }
}

async function enqueue(
  jobs: { type: string; payload: unknown; delayMs?: number; group?: string }[],
) {
  const res = await post<{ jobs: { id: string }[] }>('/jobs/batch', { jobs })
  expect(res.status).toBe(202)
  return res.body?.jobs.map((j) => j.id) ?? []
}

const sms = (message: string) => ({ type: 'sms', payload: { phone: '+84912345678', message } })

async function pageThrough(url: string): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | null | undefined
  do {
    const sep = url.includes('?') ? '&' : '?'
    const at = cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''
    const { status, body } = await get<Page>(`${url}${at}`)
    expect(status).toBe(200)
    ids.push(...body.jobs.map((j) => j.id))
    cursor = body.next
  } while (cursor)
  return ids
}

describe('dashboard routes', () => {
  it('pages through queued and scheduled jobs by cursor, each job once, in order', async () => {
    t = await startTestApp()
    const queued = await enqueue(Array.from({ length: 230 }, (_, i) => sms(`m${i}`)))
    expect(await pageThrough('/queues/default/browse?state=queued&limit=100')).toEqual(queued)
    const later = await enqueue(
      Array.from({ length: 120 }, (_, i) => ({ ...sms(`d${i}`), delayMs: 60_000 + i * 1000 })),
    )
    expect(await pageThrough('/queues/default/browse?state=scheduled&limit=50')).toEqual(later)
    const bad = await get<{ error: string }>('/queues/default/browse?state=scheduled&cursor=nope')
    expect(bad.status).toBe(400)
    expect(bad.body.error).toBe('validation_failed')
  })

  it("pages queued grouped jobs after the plain ones, and one group's with group=", async () => {
    t = await startTestApp()
    const plain = await enqueue(Array.from({ length: 3 }, (_, i) => sms(`p${i}`)))
    const grouped = await post<{ jobs: { id: string }[] }>('/jobs/batch', {
      jobs: Array.from({ length: 6 }, (_, i) => ({ ...sms(`g${i}`), group: `t-${i % 2}` })),
    })
    const ids = grouped.body?.jobs.map((j) => j.id) ?? []
    const byGroup = (g: number) => ids.filter((_, i) => i % 2 === g)
    expect(await pageThrough('/queues/default/browse?state=queued&limit=2')).toEqual([
      ...plain,
      ...byGroup(0),
      ...byGroup(1),
    ])
    const one = await get<Page>('/queues/default/browse?state=queued&group=t-1&limit=2')
    expect(one.body).toMatchObject({ total: 3, scanned: 2 })
    expect(await pageThrough('/queues/default/browse?state=queued&group=t-1&limit=2')).toEqual(
      byGroup(1),
    )
    const bad = await get<{ error: string }>('/queues/default/browse?group=a%01b')
    expect(bad.status).toBe(400)
  })

  it('searches inside payloads and by type, saying how many it examined', async () => {
    t = await startTestApp()
    const ids = await enqueue([
      ...Array.from({ length: 300 }, (_, i) => sms(`plain ${i}`)),
      sms('the needle-4711 is here'),
      { type: 'email', payload: { to: 'a@example.com', subject: 's', body: 'b' } },
    ])
    const found = await get<Page>('/queues/default/browse?state=queued&text=NEEDLE-4711&limit=5')
    expect(found.body.jobs.map((j) => j.id)).toEqual([ids[300]])
    expect(found.body.scanned).toBe(302)
    expect(found.body.total).toBe(302)
    const emails = await pageThrough('/queues/default/browse?state=queued&type=email&limit=5')
    expect(emails).toEqual([ids[301]])
  })

  it('groups dead letters by error fingerprint and requeues one group', async () => {
    t = await startTestApp()
    const ids = await enqueue(Array.from({ length: 5 }, (_, i) => sms(`${i}`)))
    const dead = new Set<string>()
    await new Promise<void>((resolve) => {
      const worker = workers.start('default', {
        sms: (job) => {
          const n = Number((job.payload as { message: string }).message)
          throw ConveyorError.permanent(
            n < 3 ? `provider refused number ${1000 + n}` : `timeout after ${n * 7} ms`,
          )
        },
      })
      worker.on('failed', (job) => {
        dead.add(job.id)
        if (ids.every((id) => dead.has(id))) resolve()
      })
    })
    await workers.closeAll()
    const { body } = await get<{
      groups: { fingerprint: string; count: number; types: string[] }[]
    }>('/queues/default/dead/groups')
    expect(body.groups.map((g) => [g.fingerprint, g.count, g.types])).toEqual([
      ['[permanent_failure] provider refused number <n>', 3, ['sms']],
      ['[permanent_failure] timeout after <n> ms', 2, ['sms']],
    ])
    const acted = await post<{ count: number }>('/queues/default/dead/groups/act', {
      fingerprint: body.groups[1]?.fingerprint,
      action: 'retry',
    })
    expect(acted.body).toEqual({ count: 2 })
    const counts = await get<{ queues: { name: string; dead: number; queued: number }[] }>(
      '/overview',
    )
    expect(counts.body.queues.find((q) => q.name === 'default')).toMatchObject({
      dead: 3,
      queued: 2,
    })
  })

  it('acts on everything matching a filter in bounded steps', async () => {
    t = await startTestApp()
    await enqueue([
      ...Array.from({ length: 7 }, (_, i) => sms(`x${i}`)),
      { type: 'email', payload: { to: 'a@example.com', subject: 's', body: 'b' } },
    ])
    let cursor: string | undefined
    let count = 0
    for (let step = 0; step < 20; step += 1) {
      const { body } = await post<{ count: number; next: string | null }>('/queues/default/bulk', {
        action: 'cancel',
        state: 'queued',
        type: 'sms',
        max: 3,
        ...(cursor ? { cursor } : {}),
      })
      count += body?.count ?? 0
      if (body?.next === null && body.count === 0) break
      // Cancelled jobs leave the ready list: look at the same place again while some went.
      if ((body?.count ?? 0) === 0) cursor = body?.next ?? undefined
    }
    expect(count).toBe(7)
    const left = await get<Page>('/queues/default/browse?state=queued')
    expect(left.body.jobs.map((j) => j.type)).toEqual(['email'])
  })

  it('keeps a bulk action on everything matching to one group', async () => {
    t = await startTestApp()
    const [plain, a1, b1, a2] = await enqueue([
      sms('plain'),
      { ...sms('a1'), group: 'tenant-a' },
      { ...sms('b1'), group: 'tenant-b' },
      { ...sms('a2'), group: 'tenant-a' },
    ])
    await enqueue([{ ...sms('a-later'), group: 'tenant-a', delayMs: 3_600_000 }])
    const { body } = await post<{ count: number; next: string | null }>('/queues/default/bulk', {
      action: 'cancel',
      state: 'queued',
      group: 'tenant-a',
    })
    expect(body).toMatchObject({ count: 2, next: null })
    const state = async (id = '') => (await get<{ state: string }>(`/jobs/${id}`)).body.state
    expect([await state(a1), await state(a2)]).toEqual(['cancelled', 'cancelled'])
    expect([await state(plain), await state(b1)]).toEqual(['queued', 'queued'])
    // In any other state the group filters the state's jobs in chunks.
    const scheduled = await post<{ count: number }>('/queues/default/bulk', {
      action: 'cancel',
      state: 'scheduled',
      group: 'tenant-b',
    })
    expect(scheduled.body?.count).toBe(0)
    const bad = await post<{ error: string }>('/queues/default/bulk', {
      action: 'cancel',
      state: 'queued',
      group: 'bell\u0007',
    })
    expect(bad.status).toBe(400)
  })

  it('runs a scheduled job now; refuses a queued one', async () => {
    t = await startTestApp()
    const [later, now] = await enqueue([{ ...sms('later'), delayMs: 3_600_000 }, sms('now')])
    expect((await post(`/jobs/${now}/run-now`)).status).toBe(409)
    expect((await post(`/jobs/${later}/run-now`)).status).toBe(200)
    const done = new Set<string>()
    await new Promise<void>((resolve) => {
      const worker = workers.start('default', { sms: () => undefined })
      worker.on('completed', (job) => {
        done.add(job.id)
        if (done.has(later ?? '')) resolve()
      })
    })
  })

  it('re-enqueues a copy with an edited payload, checked against the type schema', async () => {
    t = await startTestApp()
    const [id] = await enqueue([sms('first')])
    const bad = await post<{ error: string; details: { path: string }[] }>(
      `/jobs/${id}/reenqueue`,
      { payload: { phone: 'nope', message: 'x' } },
    )
    expect(bad.status).toBe(400)
    expect(bad.body?.error).toBe('validation_failed')
    const ok = await post<{ id: string; payload: unknown }>(`/jobs/${id}/reenqueue`, {
      payload: { phone: '+84912345678', message: 'edited' },
    })
    expect(ok.status).toBe(200)
    expect(ok.body?.id).not.toBe(id)
    expect(ok.body?.payload).toEqual({ phone: '+84912345678', message: 'edited' })
  })
})

describe('roles, sessions and the audit log', () => {
  const READ = 'ck_read_000000001'
  const OPERATE = 'ck_operate_00000002'
  const ADMIN = 'ck_admin_0000000003'
  const PLAIN = 'ck_plain_0000000004'
  const keys = `reader:read:${READ},ops:operate:${OPERATE},boss:admin:${ADMIN},${PLAIN}`
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

  it('gives each key what its role allows; a bare key keeps every right', async () => {
    t = await startTestApp({ API_KEYS: keys })
    expect((await post('/jobs/batch', { jobs: [sms('a')] })).status).toBe(401)
    const res = await post<{ jobs: { id: string }[] }>(
      '/jobs/batch',
      { jobs: [sms('a'), sms('b')] },
      bearer(PLAIN),
    )
    const [one, two] = res.body?.jobs.map((j) => j.id) ?? []
    expect((await get('/overview', bearer(READ))).status).toBe(200)
    expect((await post('/queues/default/pause', undefined, bearer(READ))).status).toBe(403)
    expect((await post('/jobs/batch', { jobs: [sms('c')] }, bearer(READ))).status).toBe(403)
    expect((await post('/queues/default/pause', undefined, bearer(OPERATE))).status).toBe(200)
    expect((await post(`/jobs/${one}/cancel`, undefined, bearer(OPERATE))).status).toBe(200)
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/jobs/${one}`,
      headers: bearer(OPERATE),
    })
    expect(del.statusCode).toBe(403)
    const bulkRemove = await post('/jobs/bulk', { action: 'remove', ids: [two] }, bearer(OPERATE))
    expect(bulkRemove.status).toBe(403)
    expect((await post('/jobs/bulk', { action: 'remove', ids: [two] }, bearer(ADMIN))).status).toBe(
      200,
    )
    const plainDel = await t.app.inject({
      method: 'DELETE',
      url: `/jobs/${one}`,
      headers: bearer(PLAIN),
    })
    expect(plainDel.statusCode).toBe(204)
    const { body } = await get<{ entries: { key: string; action: string; count?: number }[] }>(
      '/audit',
      bearer(READ),
    )
    expect(body.entries.map((e) => [e.key, e.action])).toEqual([
      [expect.stringMatching(/^[0-9a-f]{16}$/), 'DELETE /jobs/:id'],
      ['boss', 'POST /jobs/bulk'],
      ['ops', 'POST /jobs/:id/cancel'],
      ['ops', 'POST /queues/:queue/pause'],
    ])
    expect(body.entries[1]?.count).toBe(1)
  })

  it('lets only admin keys change limits', async () => {
    t = await startTestApp({ API_KEYS: keys })
    const put = (url: string, key: string) =>
      t.app.inject({ method: 'PUT', url, headers: bearer(key), payload: { concurrency: 1 } })
    const queueLimits = async (key: string) =>
      (
        await t.app.inject({
          method: 'PUT',
          url: '/queues/default/limits',
          headers: bearer(key),
          payload: { groups: { concurrency: 2 } },
        })
      ).statusCode
    expect(await queueLimits(OPERATE)).toBe(403)
    expect((await put('/queues/default/groups/tenant-1/limits', OPERATE)).statusCode).toBe(403)
    expect((await get('/queues/default/limits', bearer(OPERATE))).body).toEqual({})
    expect(await queueLimits(ADMIN)).toBe(200)
    expect((await put('/queues/default/groups/tenant-1/limits', ADMIN)).statusCode).toBe(200)
    expect((await get('/queues/default/limits', bearer(READ))).body).toEqual({
      groups: { concurrency: 2 },
    })
  })

  it('trades a key for an HttpOnly SameSite=Strict cookie whose mutations need the CSRF token', async () => {
    t = await startTestApp({ API_KEYS: keys })
    expect((await post('/session', { key: 'wrong' })).status).toBe(401)
    expect((await get<{ authRequired: boolean }>('/session')).body).toEqual({ authRequired: true })
    const login = await post<{ role: string; name: string; csrf: string }>('/session', {
      key: OPERATE,
    })
    expect(login.body).toMatchObject({ role: 'operate', name: 'ops' })
    const setCookie = String(login.res.headers['set-cookie'])
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Strict/)
    const cookie = setCookie.split(';')[0] ?? ''
    expect((await get('/overview', { cookie })).status).toBe(200)
    const noToken = await post<{ error: string }>('/queues/default/pause', undefined, { cookie })
    expect(noToken.status).toBe(403)
    expect(noToken.body?.error).toBe('csrf_failed')
    const wrongToken = await post('/queues/default/pause', undefined, {
      cookie,
      'x-csrf-token': 'x'.repeat(43),
    })
    expect(wrongToken.status).toBe(403)
    const withToken = await post('/queues/default/pause', undefined, {
      cookie,
      'x-csrf-token': login.body?.csrf ?? '',
    })
    expect(withToken.status).toBe(200)
    const forged = cookie.replace(/^(conveyor_session=)\d+/, '$12')
    expect((await get('/overview', { cookie: forged })).status).toBe(401)
  })
})

describe('the dashboard files', () => {
  it('are served at UI_PATH with a strict CSP; other paths are refused at start', async () => {
    t = await startTestApp({ UI_PATH: '/ops/dashboard' })
    const page = await t.app.inject({ method: 'GET', url: '/ops/dashboard/' })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('content="/ops/dashboard"')
    expect(page.headers['content-security-policy']).toContain("script-src 'self'")
    const js = await t.app.inject({ method: 'GET', url: '/ops/dashboard/app.js' })
    expect(js.headers['content-type']).toMatch(/javascript/)
    expect(
      (await t.app.inject({ method: 'GET', url: '/ops/dashboard/meta.json' })).statusCode,
    ).toBe(404)
    expect((await t.app.inject({ method: 'GET', url: '/ui/' })).statusCode).toBe(404)
    await t.close()
    await expect(startTestApp({ UI_PATH: 'ui/../x' })).rejects.toThrow(/UI_PATH/)
    t = await startTestApp()
  })
})
