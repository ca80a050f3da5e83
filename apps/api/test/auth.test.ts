import { afterEach, describe, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './support/test-app.js'
import { anyString } from './support/matchers.js'

let t: TestApp
afterEach(() => t.close())

const KEY = 'ck_live_4f9d2a7b1c3e'
const OTHER = 'ck_live_other_key_00'

const protectedRoutes = [
  ['GET', '/readyz'],
  ['GET', '/metrics'],
  ['GET', '/docs'],
  ['GET', '/docs/json'],
  ['GET', '/queues'],
  ['GET', '/queues/default/jobs'],
  ['GET', '/queues/default/dead'],
  ['POST', '/queues/default/pause'],
  ['POST', '/queues/default/resume'],
  ['POST', '/queues/default/dead/requeue'],
  ['GET', '/jobs/some-id'],
  ['GET', '/jobs/some-id/events'],
  ['POST', '/jobs/some-id/retry'],
  ['DELETE', '/jobs/some-id'],
  ['POST', '/enqueue-email'],
  ['POST', '/jobs'],
  ['POST', '/uploads'],
  ['GET', '/uploads/abc/result'],
  ['GET', '/no-such-route'],
] as const

describe('with API_KEYS set', () => {
  it('answers 401 on every route but /healthz without a key', async () => {
    t = await startTestApp({ API_KEYS: `${KEY}, ${OTHER}` })
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    for (const [method, url] of protectedRoutes) {
      const res = await t.app.inject({ method, url })
      expect(res.statusCode, `${method} ${url}`).toBe(401)
      expect(res.json()).toEqual({ error: 'unauthorized', message: anyString })
    }
  })

  it('lets a key through as a Bearer token or as x-api-key', async () => {
    t = await startTestApp({ API_KEYS: `${KEY}, ${OTHER}` })
    for (const headers of [
      { authorization: `Bearer ${KEY}` },
      { 'x-api-key': KEY },
      { authorization: `bearer ${OTHER}` },
    ]) {
      for (const url of ['/readyz', '/metrics', '/docs/json', '/queues']) {
        const res = await t.app.inject({ method: 'GET', url, headers })
        expect(res.statusCode, url).toBe(200)
      }
      const sent = await t.app.inject({
        method: 'POST',
        url: '/enqueue-sms',
        headers,
        payload: { phone: '+84912345678', message: 'ok' },
      })
      expect(sent.statusCode).toBe(202)
    }
  })

  it('refuses a wrong key of the same length, and other schemes', async () => {
    t = await startTestApp({ API_KEYS: KEY })
    const wrong = KEY.slice(0, -1) + (KEY.endsWith('e') ? 'f' : 'e')
    expect(wrong).toHaveLength(KEY.length)
    for (const headers of [
      { authorization: `Bearer ${wrong}` },
      { 'x-api-key': wrong },
      { authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}` },
      { authorization: `Bearer ${KEY}extra` },
    ]) {
      const res = await t.app.inject({ method: 'GET', url: '/queues', headers })
      expect(res.statusCode).toBe(401)
    }
  })
})

describe('without API_KEYS', () => {
  it('needs no key', async () => {
    t = await startTestApp()
    expect((await t.app.inject({ method: 'GET', url: '/queues' })).statusCode).toBe(200)
  })
})

describe('rate limit', () => {
  it('answers 429 past RATE_LIMIT_MAX a minute, counted per key', async () => {
    t = await startTestApp({ API_KEYS: `${KEY},${OTHER}`, RATE_LIMIT_MAX: '3' })
    const get = (key: string) =>
      t.app.inject({ method: 'GET', url: '/queues', headers: { 'x-api-key': key } })
    for (let i = 0; i < 3; i += 1) expect((await get(KEY)).statusCode).toBe(200)
    const limited = await get(KEY)
    expect(limited.statusCode).toBe(429)
    expect(limited.json()).toMatchObject({ error: 'rate_limited' })
    expect(limited.headers['retry-after']).toBeDefined()
    expect((await get(OTHER)).statusCode).toBe(200)
    // Liveness is never limited.
    for (let i = 0; i < 5; i += 1) {
      expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    }
  })
})
