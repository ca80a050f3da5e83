import { setTimeout as sleep } from 'node:timers/promises'
import { startRedisServer, type RedisServerHandle } from '@conveyor/queue-core/testing'
import { afterEach, expect, it } from 'vitest'
import { startTestApp, type TestApp } from './support/test-app.js'

let t: TestApp | undefined
let redis: RedisServerHandle | undefined
afterEach(async () => {
  // A test that failed while Redis was stopped must not leave it frozen.
  try {
    if (redis) process.kill(redis.pid, 'SIGCONT')
  } catch {
    // already gone
  }
  await t?.close()
  await redis?.stop()
  t = undefined
  redis = undefined
})

const sms = { phone: '+84912345678', message: 'Xin chào' }

async function timedPost() {
  const started = performance.now()
  const res = await t!.app.inject({ method: 'POST', url: '/enqueue-sms', payload: sms })
  return { status: res.statusCode, body: res.json<unknown>(), ms: performance.now() - started }
}

/** Polls /readyz until Redis answers again (bounded), as a load balancer would. */
async function waitUntilReady(): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if ((await t!.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200) return
    await sleep(100)
  }
  throw new Error('the API did not get ready again')
}

it('answers 503 within 2 s while Redis is gone, and 202 again once it is back', async () => {
  redis = await startRedisServer({ args: ['--save', '', '--appendonly', 'no'] })
  t = await startTestApp({ REDIS_URL: redis.url })
  expect((await timedPost()).status).toBe(202)

  await redis.kill('SIGKILL')
  for (let i = 0; i < 3; i += 1) {
    const res = await timedPost()
    expect(res).toMatchObject({ status: 503, body: { error: 'redis_unavailable' } })
    expect(res.ms).toBeLessThan(2000)
  }

  await redis.restart()
  await waitUntilReady()
  expect((await timedPost()).status).toBe(202)
})

it('answers 503 within 2 s when Redis hangs without closing the connection', async () => {
  redis = await startRedisServer({ args: ['--save', '', '--appendonly', 'no'] })
  t = await startTestApp({ REDIS_URL: redis.url })
  expect((await timedPost()).status).toBe(202)

  process.kill(redis.pid, 'SIGSTOP')
  const res = await timedPost()
  // The command is on the stalled server's socket: it may yet run, so the API says so.
  expect(res).toMatchObject({ status: 503, body: { error: 'outcome_unknown' } })
  expect(res.ms).toBeLessThan(2000)
  const ready = await t.app.inject({ method: 'GET', url: '/readyz' })
  expect(ready.statusCode).toBe(503)

  process.kill(redis.pid, 'SIGCONT')
  await waitUntilReady()
  expect((await timedPost()).status).toBe(202)
})
